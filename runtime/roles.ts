import type { FastifyInstance } from 'fastify'
import { buildApp } from '../api/app.ts'
import { registerUi } from '../api/static-ui.ts'
import { committedPublisher } from '../bus/index.ts'
import { inlineProjections, sinkSideEffects } from '../projections/all.ts'
import { runSink, SinkHalted, sinkIsActive } from '../projections/sink.ts'
import { keepStatisticsFresh } from '../projections/statistics.ts'
import type { Config } from './config.ts'
import type { Logger } from './logger.ts'
import type { Platform } from './platform.ts'

export interface Role {
  readonly name: string
  readonly stop: () => Promise<void>
}

/** The sink: active if it wins the lock, standby otherwise. A halt stops the whole process loudly. */
export const startSink = (platform: Platform, databaseUrl: string, logger: Logger): Role => {
  const controller = new AbortController()
  const done = runSink({
    databaseUrl,
    eventLog: platform.eventLog,
    projections: inlineProjections,
    sideEffects: sinkSideEffects,
    log: (m) => logger.info(m),
    signal: controller.signal,
    onCommitted: committedPublisher(platform.nc, platform.eventLog.names.committedSubject, (m) => logger.warn(m))
  }).catch((error: unknown) => {
    const halted = error instanceof SinkHalted
    logger.fatal({ err: error instanceof Error ? error.message : String(error) }, halted ? 'sink halted: the event log and the store disagree' : 'sink failed')
    process.exitCode = 70
    process.kill(process.pid, 'SIGTERM')
  })
  // The sink is what changes the read models, so it is also what keeps their statistics current.
  const statistics = keepStatisticsFresh(platform.pool, inlineProjections.map((p) => p.table), controller.signal, (m) => logger.warn(m))
  return {
    name: 'sink',
    stop: async () => {
      controller.abort()
      await Promise.all([done, statistics])
    }
  }
}

export const startApi = async (
  platform: Platform,
  config: Config,
  logger: Logger,
  options: { readonly uiDistDir?: string } = {}
): Promise<Role & { app: FastifyInstance }> => {
  const app = await buildApp({
    platform,
    logger,
    sinkAlive: async () => {
      if (!(await sinkIsActive(platform.pool))) throw new Error('no active sink holds the lock')
    },
    jwtSecret: config.jwtSecret,
    trustProxy: config.trustProxy,
    firstAdmin: { username: config.adminUsername, password: config.adminPassword }
  })
  if (options.uiDistDir) registerUi(app, { distDir: options.uiDistDir })
  await app.listen({ port: config.port, host: config.host })
  return { name: 'api', app, stop: () => app.close() }
}

/** Stops roles in reverse start order on SIGINT/SIGTERM, then the platform. */
export const stopOnSignals = (roles: () => ReadonlyArray<Role>, finish: () => Promise<void>, logger: Logger): void => {
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'stopping')
    const timer = setTimeout(() => process.exit(process.exitCode ?? 1), 15_000).unref()
    for (const role of [...roles()].reverse()) await role.stop().catch((e: Error) => logger.warn({ role: role.name, err: e.message }, 'stop failed'))
    await finish().catch(() => undefined)
    clearTimeout(timer)
    process.exit()
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}
