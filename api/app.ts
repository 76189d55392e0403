import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Platform } from '../runtime/platform.ts'
import type { Logger } from '../runtime/logger.ts'
import { registerHealth } from './health.ts'

export interface AppDeps {
  readonly platform: Platform
  readonly logger: Logger
  /** Whether a sink is committing: the API is not ready while nothing turns events into rows. */
  readonly sinkAlive: () => Promise<void>
}

/** The HTTP application, built without listening so tests can drive it in-process. */
export const buildApp = async (deps: AppDeps): Promise<FastifyInstance> => {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Per-request lines would drown the log at thousands of mutations per second.
    logController: new LogController({ disableRequestLogging: true })
  })
  registerHealth(app, [
    { name: 'nats', check: async () => void (await deps.platform.nc.rtt()) },
    { name: 'postgres', check: async () => void (await deps.platform.pool.query('SELECT 1')) },
    { name: 'sink', check: deps.sinkAlive }
  ])
  return app
}
