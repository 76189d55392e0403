/**
 * Peer benchmark: the same RegisterTarget command path (read stream → decide → append → visible in the
 * `targets` read model) done by Emmett (`@event-driven-io/emmett-postgresql`) on the same PostgreSQL.
 * The peer lives in scripts/bench/peer (own package.json) so it never becomes a project dependency.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { round, runPool } from './stats.ts'
import type { Row } from './types.ts'

const PEER_DIR = join(dirname(fileURLToPath(import.meta.url)), 'peer')
const PEER_PKG = '@event-driven-io/emmett-postgresql'

/** Loads emmett, emmett-postgresql, dumbo and pg from the peer folder, all through one CommonJS graph so
 *  they share one `pg` (dumbo checks `instanceof pg.Pool`). Installs the peer once if it is missing. */
const loadPeer = () => {
  if (!existsSync(join(PEER_DIR, 'node_modules', PEER_PKG))) {
    console.log(`[bench/emmett] peer not installed: npm install --prefix ${PEER_DIR}`)
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', PEER_DIR], { stdio: 'inherit' })
  }
  const require = createRequire(join(PEER_DIR, 'package.json'))
  /* eslint-disable @typescript-eslint/no-explicit-any */
  return {
    emmettPg: require(PEER_PKG) as any,
    emmett: require('@event-driven-io/emmett') as any,
    dumbo: require('@event-driven-io/dumbo') as any,
    pg: require('pg') as typeof pg,
    version: (JSON.parse(readFileSync(join(PEER_DIR, 'node_modules', PEER_PKG, 'package.json'), 'utf8')) as { version: string }).version
  }
}

interface TargetRegistered {
  type: 'TargetRegistered'
  data: {
    targetId: string; name: string; address: string; port: number | null; connection: 'SSH'
    credentialId: string | null; tags: string[]; attributes: Record<string, string>
  }
}

/** Same columns and indexes as projections/migrations/002_read_models.sql `targets`. */
const TARGETS_DDL = [
  `CREATE TABLE IF NOT EXISTS targets (
     id uuid PRIMARY KEY, name text NOT NULL, address text NOT NULL, port int, connection text NOT NULL,
     credential_id uuid, tags text[] NOT NULL DEFAULT '{}', attributes jsonb NOT NULL DEFAULT '{}', host_key text,
     created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, position bigint NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS targets_by_name ON targets (lower(name), id)',
  'CREATE INDEX IF NOT EXISTS targets_by_address ON targets (address)',
  'CREATE INDEX IF NOT EXISTS targets_by_tags ON targets USING gin (tags)',
  'CREATE INDEX IF NOT EXISTS targets_by_attributes ON targets USING gin (attributes jsonb_path_ops)',
  'CREATE INDEX IF NOT EXISTS targets_by_credential ON targets (credential_id)'
]

export async function benchEmmett(opts: { adminUrl: string; concurrency: number[]; commands: number }): Promise<Row[]> {
  const peer = loadPeer()
  const { getPostgreSQLEventStore, postgreSQLRawSQLProjection } = peer.emmettPg
  const { projections } = peer.emmett
  const { sql } = peer.dumbo

  const dbName = `ops_bench_emmett_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`
  const admin = new pg.Client({ connectionString: opts.adminUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${dbName}`)
  const url = new URL(opts.adminUrl)
  url.pathname = `/${dbName}`
  const connectionString = url.toString()

  // Inline projection: runs in emmett's append transaction (beforeCommitHook), so the row is
  // visible when appendToStream returns.
  const targetsProjection = postgreSQLRawSQLProjection({
    name: 'targets',
    canHandle: ['TargetRegistered'],
    init: () => TARGETS_DDL,
    evolve: (event: TargetRegistered & { metadata: { globalPosition: bigint } }) => {
      const d = event.data
      return sql(
        `INSERT INTO targets (id, name, address, port, connection, credential_id, tags, attributes, host_key, created_at, updated_at, position)
         VALUES (%L, %L, %L, %L, %L, %L, ARRAY(SELECT jsonb_array_elements_text(%L::jsonb)), %L::jsonb, NULL, now(), now(), %L)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, address = EXCLUDED.address, port = EXCLUDED.port,
           connection = EXCLUDED.connection, credential_id = EXCLUDED.credential_id, tags = EXCLUDED.tags,
           attributes = EXCLUDED.attributes, updated_at = EXCLUDED.updated_at, position = EXCLUDED.position`,
        d.targetId, d.name, d.address, d.port, d.connection, d.credentialId,
        JSON.stringify(d.tags), JSON.stringify(d.attributes), event.metadata.globalPosition.toString()
      )
    }
  })

  const poolSize = Math.max(10, ...opts.concurrency) + 4
  const pool = new peer.pg.Pool({ connectionString, max: poolSize })
  // pool.end() resolves before the sockets are closed; DROP DATABASE ... WITH (FORCE) may then
  // terminate a closing client (57P01), which pg reports as a pool 'error' event.
  pool.on('error', (e: Error & { code?: string }) => { if (e.code !== '57P01') console.error('[bench/emmett] pool error', e) })
  const store = getPostgreSQLEventStore(connectionString, {
    connectionOptions: { pool },
    projections: projections.inline([targetsProjection])
  })
  const rows: Row[] = []
  try {
    await store.schema.migrate()

    const registerTarget = async () => {
      const targetId = crypto.randomUUID()
      const streamName = `target-${targetId}`
      const { state, currentStreamVersion } = await store.aggregateStream(streamName, {
        evolve: (_: boolean, e: { type: string }) => e.type === 'TargetRegistered',
        initialState: () => false
      })
      if (state) throw new Error(`target ${targetId} already registered`)
      const event: TargetRegistered = {
        type: 'TargetRegistered',
        data: {
          targetId, name: `b-${targetId.slice(0, 13)}`, address: '10.0.0.1', port: 22, connection: 'SSH',
          credentialId: null, tags: ['bench'], attributes: {}
        }
      }
      // Optimistic concurrency on the version read (0n = no stream). emmett-postgresql 0.42 maps
      // STREAM_DOES_NOT_EXIST to "no check" in SQL (a 2nd append to an existing stream is accepted),
      // while 0n makes emt_append_to_stream INSERT the stream row, so a concurrent creator conflicts.
      await store.appendToStream(streamName, [event], { expectedStreamVersion: currentStreamVersion })
    }

    for (const c of opts.concurrency) {
      await runPool(Math.min(200, opts.commands), c, registerTarget) // warm-up
      const r = await runPool(opts.commands, c, registerTarget)
      const callers = `${c} callers`
      rows.push({ group: 'event store', name: `emmett-postgresql append + inline projection, ${callers}`, value: round(r.rate), unit: 'commands/s' })
      rows.push({ group: 'event store', name: `emmett-postgresql latency p50, ${callers}`, value: round(r.p50, 2), unit: 'ms' })
      rows.push({ group: 'event store', name: `emmett-postgresql latency p99, ${callers}`, value: round(r.p99, 2), unit: 'ms' })
    }

    // Sanity: every command left one event and one read-model row.
    const check = await pool.query<{ events: string; rows: string }>(
      `SELECT (SELECT count(*) FROM emt_messages) AS events, (SELECT count(*) FROM targets) AS rows`
    )
    const { events, rows: projected } = check.rows[0]!
    if (String(events) !== String(projected)) throw new Error(`emmett: ${events} events but ${projected} projected rows`)
    console.log(`[bench/emmett] ${PEER_PKG}@${peer.version}: ${events} events, ${projected} rows in targets, pool max ${poolSize}`)
  } finally {
    await store.close()
    await pool.end()
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
    await admin.end()
  }
  return rows
}
