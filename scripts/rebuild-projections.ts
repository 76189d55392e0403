/**
 * `npm run projections:rebuild [-- --check]`: rebuilds every read model from the event store
 * into fresh tables and swaps them in (with --check: rebuild, compare, swap nothing). Safe while
 * the platform runs.
 */
import { loadConfig } from '../runtime/config.ts'
import { resolveServices } from '../runtime/bootstrap.ts'
import { createLogger } from '../runtime/logger.ts'
import { createPool } from '../projections/db.ts'
import { migrate } from '../projections/migrate.ts'
import { inlineProjections } from '../projections/all.ts'
import { rebuildProjections } from '../projections/rebuild.ts'

const main = async () => {
  const config = loadConfig()
  const logger = createLogger(config.logLevel, 'opsconductor-rebuild')
  const services = await resolveServices(config, logger)
  const pool = createPool(services.databaseUrl, 4, 'opsconductor-rebuild')
  try {
    await migrate(pool)
    const check = process.argv.includes('--check')
    const report = await rebuildProjections(pool, inlineProjections, { swap: !check, log: (m) => logger.info(m) })
    const differing = Object.entries(report.differences).filter(([, n]) => n > 0)
    logger.info(report, check ? 'projections checked' : 'projections rebuilt and swapped in')
    console.log(
      `${report.events} events up to position ${report.upTo} in ${report.seconds.toFixed(2)} s (${Math.round(report.events / report.seconds)} events/s); ` +
        (differing.length === 0 ? 'rebuilt rows equal the live ones' : `rows differed: ${differing.map(([t, n]) => `${t} ${n}`).join(', ')}`)
    )
    if (check && differing.length > 0) process.exitCode = 1
  } finally {
    await pool.end()
    await services.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
