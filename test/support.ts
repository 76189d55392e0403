// Helpers for integration tests. The services come from `npm test` (scripts/test.ts) or
// test/global-setup.ts, which put their coordinates in the environment.
import crypto from 'node:crypto'
import { createDatabase, databaseUrl, dropDatabase } from '../runtime/local-pgdb.ts'
import { testDatabaseName } from '../runtime/local-test-databases.ts'
import { TEST_NAMESPACE_PREFIX } from '../bus/index.ts'

function required(name: string): string {
  const value = process.env[name]
  if (!value) {
    throw new Error(`${name} is not set: run the tests with \`npm test\` (or \`npx vitest run\`, whose global setup starts the services)`)
  }
  return value
}

export const natsUrl = (): string => required('NATS_URL')
export const pgAdminUrl = (): string => required('OPS_TEST_PG_ADMIN_URL')

export interface FreshDatabase {
  readonly name: string
  readonly url: string
  /** Drops the database, disconnecting whoever still uses it. */
  readonly drop: () => Promise<void>
}

/** A new, empty database of its own (`ops_t_<label>_<time><random>`); drop it in afterAll. */
export async function freshDatabase(label = 'db'): Promise<FreshDatabase> {
  const admin = pgAdminUrl()
  const name = testDatabaseName(label)
  await createDatabase(admin, name)
  return { name, url: databaseUrl(admin, name), drop: () => dropDatabase(admin, name) }
}

/**
 * A random lowercase token (`opstest_` + 7 base-36 characters) for bus names, so streams
 * (`<NS>_EVENTS`) and subjects (`<ns>.evt.>`) of this run never meet another run's.
 */
export function uniqueNamespace(): string {
  const n = crypto.randomBytes(5).readUIntBE(0, 5) % 36 ** 7
  return `${TEST_NAMESPACE_PREFIX}${n.toString(36).padStart(7, '0')}`
}

export interface SshFacts {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password: string
  /** Private key without passphrase. */
  readonly keyPath: string
  /** Private key protected by `passphrase`. */
  readonly passphraseKeyPath: string
  readonly passphrase: string
  /** `SHA256:…` fingerprint of the server's host key. */
  readonly hostKeyFingerprint: string
  /** `ssh-ed25519 AAAA…` host public key (known_hosts form without the host). */
  readonly hostPublicKey: string
}

/** The loopback sshd set up for the tests (user with password and keys). */
export function sshFacts(): SshFacts {
  return {
    host: required('OPS_TEST_SSH_HOST'),
    port: Number(required('OPS_TEST_SSH_PORT')),
    user: required('OPS_TEST_SSH_USER'),
    password: required('OPS_TEST_SSH_PASSWORD'),
    keyPath: required('OPS_TEST_SSH_KEY'),
    passphraseKeyPath: required('OPS_TEST_SSH_KEY_PP'),
    passphrase: required('OPS_TEST_SSH_PASSPHRASE'),
    hostKeyFingerprint: required('OPS_TEST_SSH_HOST_KEY'),
    hostPublicKey: required('OPS_TEST_SSH_HOST_PUBKEY')
  }
}
