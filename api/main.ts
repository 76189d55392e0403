/**
 * The API on its own (docker-compose scales it): NATS_URL and DATABASE_URL must point at shared
 * services, and a sink must run elsewhere. `npm start` runs everything in one process group instead.
 */
import { parseMasterKey } from '../vault/index.ts'
import { ConfigError, describeConfig, loadConfig } from '../runtime/config.ts'
import { createLogger } from '../runtime/logger.ts'
import { openPlatform } from '../runtime/platform.ts'
import { startApi, stopOnSignals, type Role } from '../runtime/roles.ts'
import { ensureUiBuilt, UI_DIST } from '../scripts/build-ui.ts'

const main = async () => {
  const config = loadConfig()
  const logger = createLogger(config.logLevel, 'opsconductor-api')
  const masterKey = config.masterKey ? parseMasterKey(config.masterKey) : undefined
  if (!config.natsUrl || !config.databaseUrl || !masterKey)
    throw new ConfigError(['the api role needs NATS_URL, DATABASE_URL and OPS_MASTER_KEY (shared with the sink and workers)'])
  logger.info(describeConfig(config), 'starting the OpsConductor API')
  const platform = await openPlatform(
    { natsUrl: config.natsUrl, databaseUrl: config.databaseUrl, masterKey, namespace: config.namespace, streamReplicas: config.streamReplicas, role: 'api' },
    logger
  )
  const roles: Role[] = []
  stopOnSignals(() => roles, () => platform.close(), logger)
  await ensureUiBuilt((line) => logger.info(line))
  roles.push(await startApi(platform, config, logger, { uiDistDir: UI_DIST }))
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
})
