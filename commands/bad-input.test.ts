import { Effect } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { context, openHarness, type Harness } from '../test/harness.ts'
import { createCredential } from './credentials.ts'
import { defineJob } from './jobs.ts'
import { registerTarget, type RegisterTargetInput } from './targets.ts'
import { registerUser } from './users.ts'
import type { CommandServices } from '../runtime/platform.ts'

let h: Harness
beforeAll(async () => {
  h = await openHarness()
})
afterAll(async () => {
  await h?.close()
})

const attempt = <A, E>(effect: Effect.Effect<A, E, CommandServices>) => h.platform.commands.runPromise(Effect.result(effect))

const goodTarget: RegisterTargetInput = { name: 'web-1', address: '10.0.0.5', connection: 'SSH', tags: ['web'] }

/** The refusal must name the field and leave the bus exactly as it was. */
const expectRefused = async <A, E>(effect: Effect.Effect<A, E, CommandServices>, field: string) => {
  const before = await h.platform.eventLog.lastSequence()
  const outcome = await attempt(effect)
  if (outcome._tag === 'Success') throw new Error(`accepted input that should be refused (${field})`)
  const failure = outcome.failure as { _tag: string; rejection?: { category: string; field?: string; message: string } }
  expect(failure._tag).toBe('Rejected')
  expect(failure.rejection?.category).toBe('invalid')
  expect(failure.rejection?.field).toBe(field)
  expect(failure.rejection?.message).toContain(field.replace(/\[\d+\]$/, ''))
  expect(await h.platform.eventLog.lastSequence()).toBe(before)
}

describe('Bad input', () => {
  it.each([
    ['empty name', { ...goodTarget, name: '' }, 'name'],
    ['name with spaces and quotes', { ...goodTarget, name: "x'; DROP TABLE targets; --" }, 'name'],
    ['oversize name', { ...goodTarget, name: 'a'.repeat(10_000) }, 'name'],
    ['address that is no host', { ...goodTarget, address: 'not a host!' }, 'address'],
    ['port out of range', { ...goodTarget, port: 70_000 }, 'port'],
    ['unknown connection kind', { ...goodTarget, connection: 'TELNET' as never }, 'connection'],
    ['malformed credential id', { ...goodTarget, credentialId: 'abc' }, 'credentialId'],
    ['tag with an operator character', { ...goodTarget, tags: ['ok', 'a+b'] }, 'tags[1]']
  ])('refuses a target with %s', async (_what, input, field) => {
    await expectRefused(registerTarget(input, context()), field)
  })

  it('refuses text PostgreSQL could not store (a NUL, half a surrogate pair), wherever it is, naming where', async () => {
    await expectRefused(registerTarget({ ...goodTarget, name: 'nul-attr', attributes: { os: 'linux\u0000' } }, context()), 'attributes.os')
    await expectRefused(registerTarget({ ...goodTarget, name: 'lone-key', attributes: { ['rack\ud800']: 'r1' } }, context()), 'attributes.rack\ud800')
    await expectRefused(defineJob({ name: 'nul-job', steps: [{ kind: 'COMMAND', command: 'echo \u0000' }] }, context()), 'steps[0].command')
    await expectRefused(defineJob({ name: 'surrogate-job', description: 'half \udc00 a pair', steps: [{ kind: 'COMMAND', command: 'true' }] }, context()), 'description')
    // A whole pair is an ordinary character.
    const ok = await attempt(defineJob({ name: 'emoji-job', description: 'deploys 🚀', steps: [{ kind: 'COMMAND', command: 'true' }] }, context()))
    expect(ok._tag).toBe('Success')
  })

  it('refuses users with an unknown role, a short password or a bad username', async () => {
    await expectRefused(registerUser({ username: 'alice', password: 'long-enough-1', role: 'ROOT' as never }, context()), 'role')
    await expectRefused(registerUser({ username: 'alice', password: 'short', role: 'VIEWER' }, context()), 'password')
    await expectRefused(registerUser({ username: 'a', password: 'long-enough-1', role: 'VIEWER' }, context()), 'username')
  })

  it('refuses a password credential without a password, without echoing secrets', async () => {
    await expectRefused(createCredential({ name: 'c1', kind: 'SSH_PASSWORD', username: 'root' }, context()), 'password')
    await expectRefused(createCredential({ name: 'c2', kind: 'SSH_KEY', username: 'root', privateKey: 'hunter2-not-a-key' }, context()), 'privateKey')
    await expectRefused(createCredential({ name: 'c3', kind: 'KERBEROS' as never, username: 'root', password: 'x' }, context()), 'kind')
  })

  it('refuses jobs with a step that lacks its command or refers to an unknown parameter', async () => {
    await expectRefused(defineJob({ name: 'j', steps: [{ kind: 'COMMAND' }], parameters: [] }, context()), 'steps[0].command')
    await expectRefused(defineJob({ name: 'j', steps: [{ kind: 'COMMAND', command: 'echo {{who}}' }], parameters: [] }, context()), 'steps[0].command')
    await expectRefused(defineJob({ name: 'j', steps: [{ kind: 'COMMAND', command: 'true' }], parameters: [{ name: 'x', type: 'ENUM' }] }, context()), 'parameters[0].choices')
  })
})
