// Local NATS, PostgreSQL and sshd for `npm start` and the tests. Each ensure* is idempotent:
// it reuses what runs (a given URL, the machine's service, or one we started earlier in the
// same data dir) and only starts what is missing. Every handle has a stop() that is always safe
// to call: it stops only a service we started, and only when no other process still uses it.
export { ensureNats, probeNats, type EnsureNatsOptions, type NatsHandle } from './local-nats.ts'
export { ensurePostgres, type EnsurePostgresOptions, type PostgresHandle } from './local-postgres.ts'
export { ensureSshd, type EnsureSshdOptions, type SshdHandle } from './local-sshd.ts'
export { createDatabase, databaseUrl, dropDatabase } from './local-pgdb.ts'
export type { Log } from './local-util.ts'
