import { generateKeyPairSync } from 'node:crypto'
import { Effect } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { credentials } from '../domains/credentials/index.ts'
import { context, openHarness, type Harness } from '../test/harness.ts'
import { createCredential, deleteCredential, rotateCredential } from './credentials.ts'
import { loadState } from './handler.ts'
import { Vault } from './secrets.ts'
import type { CommandServices } from '../runtime/platform.ts'
import type { SealedSecret } from '../domains/credentials/index.ts'

let h: Harness
beforeAll(async () => {
  h = await openHarness()
})
afterAll(async () => {
  await h?.close()
})

const PASSWORD = 'Pa55-never-in-plain-text-7c1e'
const PRIVATE_KEY = generateKeyPairSync('ed25519', { privateKeyEncoding: { format: 'pem', type: 'pkcs8' }, publicKeyEncoding: { format: 'pem', type: 'spki' } }).privateKey
// A distinctive slice of the key body: long enough that a match cannot be chance.
const KEY_BODY = PRIVATE_KEY.split('\n')[1]!.slice(4, 40)

const run = <A, E>(effect: Effect.Effect<A, E, CommandServices>) => h.platform.commands.runPromise(effect)
const open = (secret: SealedSecret) => Effect.gen(function* () {
  return yield* (yield* Vault).open(secret)
})

/** Every byte the system keeps or logged: the JetStream stream, every table but the key store, the logs. */
const everythingStored = async (): Promise<string> => {
  const parts: string[] = []
  const controller = new AbortController()
  const last = await h.platform.eventLog.lastSequence()
  for await (const m of h.platform.eventLog.follow(1, controller.signal)) {
    parts.push(Buffer.from(m.data).toString('utf8'))
    if (m.seq >= last) break
  }
  controller.abort()
  const { rows: tables } = await h.platform.pool.query<{ t: string }>(
    "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'credential_keys'"
  )
  for (const { t } of tables) {
    const { rows } = await h.platform.pool.query(`SELECT x::text AS row FROM "${t}" x`)
    parts.push(...rows.map((r) => (r as { row: string }).row))
  }
  return [...parts, ...h.logs].join('\n')
}

describe('Credential secrets', () => {
  it('never stores a password or private key in plain text, and opens them through the vault', async () => {
    const pw = await run(createCredential({ name: 'prod-root', kind: 'SSH_PASSWORD', username: 'root', password: PASSWORD }, context()))
    const key = await run(createCredential({ name: 'deploy-key', kind: 'SSH_KEY', username: 'deploy', privateKey: PRIVATE_KEY }, context()))
    const stored = await everythingStored()
    expect(stored).toContain('prod-root')
    expect(stored).not.toContain(PASSWORD)
    expect(stored).not.toContain(KEY_BODY)

    const state = await run(loadState(credentials, key.id))
    if (state.status !== 'active') throw new Error('credential missing')
    const opened = JSON.parse(await run(open(state.secret))) as { privateKey: string }
    expect(opened.privateKey).toBe(PRIVATE_KEY)
    expect(pw.durable).toBe(true)
  })

  it('shreds the data key on deletion and on rotation, so old ciphertext stays unreadable', async () => {
    const created = await run(createCredential({ name: 'temp-cred', kind: 'SSH_PASSWORD', username: 'ops', password: PASSWORD }, context()))
    const before = await run(loadState(credentials, created.id))
    if (before.status !== 'active') throw new Error('credential missing')
    await run(rotateCredential(created.id, { password: 'rotated-secret-value-1' }, context()))
    const openOld = await h.platform.commands.runPromise(Effect.result(open(before.secret)))
    expect(openOld._tag).toBe('Failure')

    const rotated = await run(loadState(credentials, created.id))
    if (rotated.status !== 'active') throw new Error('credential missing')
    await run(deleteCredential(created.id, context()))
    const openDeleted = await h.platform.commands.runPromise(Effect.result(open(rotated.secret)))
    expect(openDeleted._tag).toBe('Failure')
    const { rows } = await h.platform.pool.query('SELECT 1 FROM credential_keys WHERE credential_id = $1', [created.id])
    expect(rows).toHaveLength(0)
  })

  it('refuses a second credential with the same name, in any case', async () => {
    await run(createCredential({ name: 'unique-name', kind: 'SSH_PASSWORD', username: 'a', password: PASSWORD }, context()))
    const again = await h.platform.commands.runPromise(
      Effect.result(createCredential({ name: 'UNIQUE-name', kind: 'SSH_PASSWORD', username: 'b', password: PASSWORD }, context()))
    )
    expect(again._tag === 'Failure' && again.failure._tag === 'Rejected' && again.failure.rejection.category).toBe('conflict')
  })

  it('refuses a rotation with a bad username before sealing anything', async () => {
    const created = await run(createCredential({ name: 'rotate-check', kind: 'SSH_PASSWORD', username: 'ops', password: PASSWORD }, context()))
    const keys = async () => (await h.platform.pool.query('SELECT count(*)::int AS n FROM credential_keys WHERE credential_id = $1', [created.id])).rows[0].n
    const before = await keys()
    const refused = await h.platform.commands.runPromise(Effect.result(rotateCredential(created.id, { password: 'another-secret-1', username: 'bad\u0001name' }, context())))
    expect(refused._tag === 'Failure' && refused.failure._tag === 'Rejected' && refused.failure.rejection.field).toBe('username')
    expect(await keys()).toBe(before)
  })
})
