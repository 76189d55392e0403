/**
 * `npm run sink`: the writers that must be single (sink, dispatcher, output sink; each one
 * active, the others standby), for scaled deployments.
 */
import { ConfigError, loadConfig } from '../runtime/config.ts'
import { resolveServices } from '../runtime/bootstrap.ts'
import { createLogger } from '../runtime/logger.ts'
import { openPlatform } from '../runtime/platform.ts'
import { startSink, stopOnSignals, type Role } from '../runtime/roles.ts'
import { exitWithParent } from '../runtime/child-role.ts'
import { startDispatcher, startJobSlots, startOutputSink, startWatchdog } from '../runtime/execution-roles.ts'

const main = async () => {
  exitWithParent()
  const config = loadConfig()
  const logger = createLogger(config.logLevel, 'opsconductor-sink')
  const services = await resolveServices(config, logger)
  const platform = await openPlatform({ natsUrl: services.natsUrl, databaseUrl: services.databaseUrl, masterKey: services.masterKey, namespace: config.namespace, streamReplicas: config.streamReplicas, role: 'sink' }, logger)
  const roles: Role[] = [
    startSink(platform, services.databaseUrl, logger),
    startDispatcher(platform, services.databaseUrl, logger),
    startJobSlots(platform, services.databaseUrl, logger),
    startOutputSink(platform, services.databaseUrl, logger),
    startWatchdog(platform, services.databaseUrl, { ackWaitSeconds: config.workAckWaitSeconds }, logger)
  ]
  stopOnSignals(() => roles, () => platform.close(), logger)
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
})
