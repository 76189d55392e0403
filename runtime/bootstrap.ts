import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { generateMasterKey, parseMasterKey } from '../vault/index.ts'
import type { Config } from './config.ts'
import { createDatabase, databaseUrl, ensureNats, ensurePostgres } from './local-services.ts'
import type { Logger } from './logger.ts'

export interface Services {
  readonly natsUrl: string
  readonly databaseUrl: string
  readonly masterKey: Buffer
  /** Stops the local servers this process started (none when URLs were given). */
  readonly stop: () => Promise<void>
}

const DATABASE = 'opsconductor'

/**
 * Resolves where NATS and PostgreSQL are: the configured URLs, or local servers started on
 * demand (so a fresh machine needs nothing but `npm start`), and the master key.
 */
export const resolveServices = async (config: Config, logger: Logger): Promise<Services> => {
  const log = (m: string) => logger.info(m)
  const nats = await ensureNats({ url: config.natsUrl, dataDir: path.resolve(config.dataDir, 'nats'), log })
  let dbUrl = config.databaseUrl
  let stopPg = async () => {}
  if (!dbUrl) {
    const pg = await ensurePostgres({ dataDir: path.resolve(config.dataDir, 'postgres'), log })
    await createDatabase(pg.adminUrl, DATABASE)
    dbUrl = databaseUrl(pg.adminUrl, DATABASE)
    stopPg = pg.stop
  }
  const masterKey = await resolveMasterKey(config, logger)
  return {
    natsUrl: nats.url,
    databaseUrl: dbUrl,
    masterKey,
    stop: async () => {
      await stopPg()
      await nats.stop()
    }
  }
}

/**
 * OPS_MASTER_KEY when set. Otherwise a key kept in the data dir (mode 0600), created on first
 * start — fine for one machine; a cluster must share one key through the environment.
 */
const resolveMasterKey = async (config: Config, logger: Logger): Promise<Buffer> => {
  if (config.masterKey) return parseMasterKey(config.masterKey)!
  const file = path.resolve(config.dataDir, 'master.key')
  const existing = await readFile(file, 'utf8').catch(() => undefined)
  if (existing) {
    const key = parseMasterKey(existing)
    if (!key) throw new Error(`${file} does not hold a 32-byte key; set OPS_MASTER_KEY or remove the file`)
    return key
  }
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, generateMasterKey() + '\n', { mode: 0o600, flag: 'wx' })
  await chmod(file, 0o600)
  logger.warn({ file }, 'OPS_MASTER_KEY is not set: generated a master key in the data dir; back it up, secrets cannot be read without it')
  return parseMasterKey(await readFile(file, 'utf8'))!
}
