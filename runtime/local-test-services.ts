// The services an integration-test run needs, as environment variables for the test processes.
// Used by scripts/test.ts (`npm test`) and by test/global-setup.ts (a bare `npx vitest run`).
import os from 'node:os'
import path from 'node:path'
import { dropStaleTestDatabases } from './local-test-databases.ts'
import { connectBus, deleteStaleTestStreams } from '../bus/index.ts'
import { ensureNats, type NatsHandle } from './local-nats.ts'
import { ensurePostgres, type PostgresHandle } from './local-postgres.ts'
import { ensureSshd, type SshdHandle } from './local-sshd.ts'
import { mkdirp, type Log } from './local-util.ts'

export interface TestServicesOptions {
  /** Environment to read overrides from (default process.env). */
  env?: NodeJS.ProcessEnv
  log: Log
}

export interface TestServices {
  /** Variables to hand to the test processes. */
  env: Record<string, string>
  /** Stops what this run started (and nobody else still uses). */
  stop(): Promise<void>
}

/** Variables a ready environment has; global-setup checks them to avoid starting things twice. */
export const TEST_ENV_KEYS = ['NATS_URL', 'OPS_TEST_PG_ADMIN_URL', 'OPS_TEST_SSH_HOST', 'OPS_TEST_SSH_PORT'] as const

/**
 * OPS_TEST_FORCE_LOCAL=1 ignores the machine's NATS/PostgreSQL (and NATS_URL /
 * OPS_TEST_PG_ADMIN_URL) and starts private ones, as on a fresh machine.
 * OPS_TEST_DATA_DIR overrides the state directory (default <tmp>/opsconductor-test-<uid>).
 */
export async function ensureTestServices(opts: TestServicesOptions): Promise<TestServices> {
  const env = opts.env ?? process.env
  const forceLocal = env.OPS_TEST_FORCE_LOCAL === '1' || env.OPS_TEST_FORCE_LOCAL === 'true'
  const base = mkdirp(env.OPS_TEST_DATA_DIR ?? path.join(os.tmpdir(), `opsconductor-test-${process.getuid?.() ?? os.userInfo().username}`))
  const t = Date.now()

  const given = (name: string) => (forceLocal ? undefined : env[name] || undefined)
  const sshGiven = !!env.OPS_TEST_SSH_HOST
  const [nats, pg, sshd] = await Promise.allSettled([
    ensureNats({ url: given('NATS_URL'), dataDir: path.join(base, 'nats'), log: opts.log, reuseDefault: !forceLocal }),
    ensurePostgres({ url: given('OPS_TEST_PG_ADMIN_URL'), dataDir: path.join(base, 'pg'), log: opts.log, reuseDefault: !forceLocal, durable: false }),
    sshGiven ? Promise.resolve(undefined) : ensureSshd({ dataDir: path.join(base, 'sshd'), log: opts.log })
  ])
  const handles = [nats, pg, sshd].flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []))
  const stop = async () => {
    await Promise.allSettled(handles.map((h) => h.stop()))
  }
  const failures = [nats, pg, sshd].flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []))
  if (failures.length > 0) {
    await stop()
    throw new Error(`test services could not start:\n- ${failures.join('\n- ')}`)
  }
  const n = (nats as PromiseFulfilledResult<NatsHandle>).value
  const p = (pg as PromiseFulfilledResult<PostgresHandle>).value
  const s = (sshd as PromiseFulfilledResult<SshdHandle | undefined>).value
  await dropStaleTestDatabases(p.adminUrl, opts.log).catch((err: Error) => opts.log(`could not clean old test databases: ${err.message}`))
  await dropStaleTestStreams(n.url, opts.log)
  opts.log(`test services ready in ${((Date.now() - t) / 1000).toFixed(1)} s (state in ${base})`)

  const out: Record<string, string> = {
    NATS_URL: n.url,
    OPS_TEST_PG_ADMIN_URL: p.adminUrl,
    OPS_TEST_DATA_DIR: base
  }
  if (s) {
    Object.assign(out, {
      OPS_TEST_SSH_HOST: s.host,
      OPS_TEST_SSH_PORT: String(s.port),
      OPS_TEST_SSH_USER: s.user,
      OPS_TEST_SSH_PASSWORD: s.password,
      OPS_TEST_SSH_KEY: s.keyPath,
      OPS_TEST_SSH_KEY_PP: s.passphraseKeyPath,
      OPS_TEST_SSH_PASSPHRASE: s.passphrase,
      OPS_TEST_SSH_HOST_KEY: s.hostKeyFingerprint,
      OPS_TEST_SSH_HOST_PUBKEY: s.hostPublicKey
    })
  }
  return { env: out, stop }
}

/** Streams of earlier runs that crashed before cleaning up (older than 6 h, like the databases). */
async function dropStaleTestStreams(url: string, log: Log): Promise<void> {
  try {
    const nc = await connectBus(url, 'opsconductor-test-setup')
    try {
      const n = await deleteStaleTestStreams(nc, 6 * 3600_000)
      if (n > 0) log(`removed ${n} stale test streams`)
    } finally {
      await nc.close()
    }
  } catch (err) {
    log(`could not clean old test streams: ${(err as Error).message}`)
  }
}
