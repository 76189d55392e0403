/**
 * `npm run audit:verify`: recomputes the audit hash chain over the whole events table and
 * reports the first broken position (exit 1), or that it is intact (exit 0). Uses DATABASE_URL,
 * or, like `npm start`, the local PostgreSQL in the data dir when it is unset.
 */
import path from 'node:path'
import { verifyAuditChain } from '../projections/audit-log.ts'
import { createPool } from '../projections/db.ts'
import { ConfigError, loadConfig } from '../runtime/config.ts'
import { databaseUrl, ensurePostgres } from '../runtime/local-services.ts'

// The database `npm start` creates on its local PostgreSQL (runtime/bootstrap.ts).
const LOCAL_DATABASE = 'opsconductor'

const main = async (): Promise<number> => {
  const config = loadConfig()
  let url = config.databaseUrl
  let stop = async () => {}
  if (!url) {
    const pg = await ensurePostgres({ dataDir: path.resolve(config.dataDir, 'postgres'), log: (m) => console.error(m) })
    url = databaseUrl(pg.adminUrl, LOCAL_DATABASE)
    stop = pg.stop
  }
  const pool = createPool(url, 2, 'opsconductor-audit-verify')
  try {
    const verdict = await verifyAuditChain(pool)
    if (verdict.ok) {
      console.log(`audit chain intact: ${verdict.count} events, last position ${verdict.lastPosition}`)
      return 0
    }
    const where = verdict.index === null ? `position ${verdict.position} (rows missing at the end of the log)` : `position ${verdict.position} (index ${verdict.index})`
    console.log(`audit chain broken at ${where}: stored hash ${verdict.stored} expected ${verdict.expected}; ${verdict.count} events before it are intact`)
    return 1
  } finally {
    await pool.end()
    await stop()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error))
    process.exit(2)
  }
)
