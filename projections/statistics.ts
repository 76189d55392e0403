import type { Pool } from './db.ts'
import { pause } from './wait.ts'
import { quote } from './projection.ts'

// Past this share of a table changed since its last ANALYZE (plus a floor for small tables),
// the planner's row estimates are stale enough to pick bad plans.
const CHANGED_SHARE = 0.1
const CHANGED_FLOOR = 500
const CHECK_EVERY_MS = 5_000

/**
 * Keeps the planner's statistics of the read models current. Autovacuum does the same, but only
 * on its own schedule (a minute between rounds by default): right after a bulk change — thousands
 * of targets registered or discovered at once — filters would be planned without knowing how many
 * rows match (a glob over every target was planned as if it matched 50, then sorted them all).
 */
export const keepStatisticsFresh = async (pool: Pool, tables: ReadonlyArray<string>, signal: AbortSignal, log: (m: string) => void): Promise<void> => {
  while (!signal.aborted) {
    try {
      for (const table of await staleTables(pool, tables)) await pool.query(`ANALYZE ${quote(table)}`)
    } catch (error) {
      log(`statistics: ${error instanceof Error ? error.message : String(error)}`)
    }
    await pause(CHECK_EVERY_MS, signal)
  }
}

/** The tables among `tables` whose statistics are stale by the measure above. */
export const staleTables = async (pool: Pool, tables: ReadonlyArray<string>): Promise<string[]> => {
  const { rows } = await pool.query<{ relname: string }>(
    `SELECT relname FROM pg_stat_user_tables
      WHERE schemaname = current_schema() AND relname = ANY($1::text[])
        AND (n_mod_since_analyze > $2::int + $3::float8 * n_live_tup OR (last_analyze IS NULL AND last_autoanalyze IS NULL AND n_live_tup > $2::int))`,
    [tables, CHANGED_FLOOR, CHANGED_SHARE]
  )
  return rows.map((r) => r.relname)
}
