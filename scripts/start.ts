/**
 * `npm start`: every role in one process group — this process runs the API and a worker; a child
 * process runs the single writers (sink, dispatcher, job slots, output copier, watchdog) on the other core.
 * Starts local NATS/PostgreSQL when NATS_URL/DATABASE_URL are unset.
 */
import { ConfigError, describeConfig, loadConfig } from '../runtime/config.ts'
import { resolveServices } from '../runtime/bootstrap.ts'
import { createLogger } from '../runtime/logger.ts'
import { openPlatform } from '../runtime/platform.ts'
import { startApi, stopOnSignals, type Role } from '../runtime/roles.ts'
import { startWorkerRole } from '../runtime/execution-roles.ts'
import { startChildRole } from '../runtime/child-role.ts'
import { ensureUiBuilt, UI_DIST } from './build-ui.ts'

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
  roles.push(
    startChildRole(
      'sink',
      'projections/main.ts',
      // The child reads the same configuration, with the services resolved here.
      { NATS_URL: services.natsUrl, DATABASE_URL: services.databaseUrl, OPS_MASTER_KEY: services.masterKey.toString('base64') },
      logger
    )
  )
  roles.push(await startWorkerRole(platform, { slots: config.workerSlots, stepTimeoutSeconds: config.stepTimeoutSeconds, replicas: config.streamReplicas, ackWaitSeconds: config.workAckWaitSeconds }, logger))
  await ensureUiBuilt((line) => logger.info(line))
  roles.push(await startApi(platform, config, logger, { uiDistDir: UI_DIST }))
  logger.info(`OpsConductor is up on http://localhost:${config.port} (health: /healthz, readiness: /readyz)`)
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
})
