import pg from 'pg'

export type Pool = pg.Pool
export type PoolClient = pg.PoolClient

// bigint (int8) columns hold JetStream sequences, far below 2^53: read them as numbers.
pg.types.setTypeParser(20, (v) => Number(v))

export const createPool = (url: string, max = 10, applicationName = 'opsconductor'): Pool => {
  const pool = new pg.Pool({ connectionString: url, max, application_name: applicationName, idleTimeoutMillis: 30_000 })
  // An idle connection that PostgreSQL closes (a restart, a terminated backend, a dropped test
  // database) is an 'error' on the pool; unhandled, it would end the process. The pool already
  // discards that connection, and whoever queries next gets a fresh one or the real error.
  pool.on('error', () => undefined)
  return pool
}

// A dedicated connection holds a lease (the sink's advisory lock) or a LISTEN. If the network drops
// it silently, both ends must notice within a minute, not after the operating system's two
// hours: this side to reconnect, the server to end the session and free the lock for a standby.
const SERVER_KEEPALIVES = '-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3'

/** A dedicated connection that is not returned to a pool (advisory locks, LISTEN). */
export const connectClient = async (url: string, applicationName: string): Promise<pg.Client> => {
  const client = new pg.Client({
    connectionString: url,
    application_name: applicationName,
    keepAlive: true,
    keepAliveInitialDelayMillis: 30_000,
    // Options in DATABASE_URL are the operator's; they win.
    ...(/[?&]options=/.test(url) ? {} : { options: SERVER_KEEPALIVES })
  })
  await client.connect()
  return client
}

export type Client = pg.Client

export const inTransaction = async <A>(client: pg.ClientBase, work: () => Promise<A>): Promise<A> => {
  await client.query('BEGIN')
  try {
    const result = await work()
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  }
}

/** Readiness: the database answers a trivial query. */
export const ping = async (db: Pick<pg.Pool, 'query'>): Promise<void> => {
  await db.query('SELECT 1')
}

/** Session-level advisory lock: held until released or the connection ends (one active instance of a role). */
export const tryAdvisoryLock = async (client: pg.ClientBase, lockId: number): Promise<boolean> => {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockId])
  return rows[0]?.locked === true
}
