/**
 * `npm start`: every role in one process group: api, sink, dispatcher, output sink and a worker
 * (the scheduler and notifier join as they land). Starts local NATS/PostgreSQL when NATS_URL/DATABASE_URL are unset.
 */
import { ConfigError, describeConfig, loadConfig } from '../runtime/config.ts'
import { resolveServices } from '../runtime/bootstrap.ts'
import { createLogger } from '../runtime/logger.ts'
import { openPlatform } from '../runtime/platform.ts'
import { startApi, startSink, stopOnSignals, type Role } from '../runtime/roles.ts'
import { startDispatcher, startOutputSink, startWatchdog, startWorkerRole } from '../runtime/execution-roles.ts'

const main = async () => {
  const config = loadConfig()
  const logger = createLogger(config.logLevel)
  logger.info(describeConfig(config), 'starting OpsConductor')
  const services = await resolveServices(config, logger)
  const roles: Role[] = []
  const platform = await openPlatform(
    { natsUrl: services.natsUrl, databaseUrl: services.databaseUrl, masterKey: services.masterKey, namespace: config.namespace, streamReplicas: config.streamReplicas, logsMaxBytes: config.logsMaxBytes, logsMaxAgeDays: config.logsMaxAgeDays, role: 'all' },
    logger
  )
  stopOnSignals(() => roles, async () => {
    await platform.close()
    await services.stop()
  }, logger)
  roles.push(startSink(platform, services.databaseUrl, logger))
  roles.push(startDispatcher(platform, services.databaseUrl, logger))
  roles.push(startOutputSink(platform, services.databaseUrl, logger))
  roles.push(startWatchdog(platform, services.databaseUrl, { ackWaitSeconds: config.workAckWaitSeconds }, logger))
  roles.push(await startWorkerRole(platform, { slots: config.workerSlots, stepTimeoutSeconds: config.stepTimeoutSeconds, replicas: config.streamReplicas, ackWaitSeconds: config.workAckWaitSeconds }, logger))
  roles.push(await startApi(platform, config, logger))
  logger.info(`OpsConductor is up on http://localhost:${config.port} (health: /healthz, readiness: /readyz)`)
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
})
