/** `npm run worker`: one execution worker (run as many as the fleet needs). */
import { ConfigError, loadConfig } from '../runtime/config.ts'
import { resolveServices } from '../runtime/bootstrap.ts'
import { startWorkerRole } from '../runtime/execution-roles.ts'
import { createLogger } from '../runtime/logger.ts'
import { openPlatform } from '../runtime/platform.ts'
import { stopOnSignals, type Role } from '../runtime/roles.ts'

const main = async () => {
  const config = loadConfig()
  const logger = createLogger(config.logLevel, 'opsconductor-worker')
  const services = await resolveServices(config, logger)
  const platform = await openPlatform(
    { natsUrl: services.natsUrl, databaseUrl: services.databaseUrl, masterKey: services.masterKey, namespace: config.namespace, streamReplicas: config.streamReplicas, logsMaxBytes: config.logsMaxBytes, logsMaxAgeDays: config.logsMaxAgeDays, role: 'worker' },
    logger
  )
  const roles: Role[] = []
  stopOnSignals(() => roles, () => platform.close(), logger)
  roles.push(await startWorkerRole(platform, { slots: config.workerSlots, stepTimeoutSeconds: config.stepTimeoutSeconds, replicas: config.streamReplicas, ackWaitSeconds: config.workAckWaitSeconds }, logger))
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
})
