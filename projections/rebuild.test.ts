import { Effect } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineJob, reviseJob } from '../commands/jobs.ts'
import { registerTarget, removeTarget, tagTarget, updateTarget } from '../commands/targets.ts'
import { changeUserRole, registerUser } from '../commands/users.ts'
import { createCredential, deleteCredential } from '../commands/credentials.ts'
import type { CommandServices } from '../runtime/platform.ts'
import { context, openHarness, type Harness } from '../test/harness.ts'
import { recordLoginFailure } from '../commands/auth.ts'
import { inlineProjections } from './all.ts'
import { pruneFailureStreaks } from './read-models/login-throttle.ts'
import { rebuildProjections, RebuildRunning } from './rebuild.ts'

let h: Harness
beforeAll(async () => {
  h = await openHarness()
})
afterAll(async () => {
  await h?.close()
})

const run = <A, E>(effect: Effect.Effect<A, E, CommandServices>) => h.platform.commands.runPromise(effect)

const snapshot = async () => {
  const out: Record<string, unknown[]> = {}
  for (const p of inlineProjections) {
    const { rows } = await h.platform.pool.query(`SELECT * FROM ${p.table} ORDER BY ${p.key}`)
    out[p.table] = rows
  }
  return out
}

describe('Projection rebuild', () => {
  it('rebuilds every read model from the event store into rows equal to the live ones', async () => {
    const cred = await run(createCredential({ name: 'k', kind: 'SSH_PASSWORD', username: 'u', password: 'secret-1' }, context()))
    const gone = await run(createCredential({ name: 'gone', kind: 'SSH_PASSWORD', username: 'u', password: 'secret-2' }, context()))
    await run(deleteCredential(gone.id, context()))
    for (let i = 0; i < 40; i++) {
      const t = await run(registerTarget({ name: `node-${i}`, address: `10.2.0.${i + 1}`, connection: 'SSH', credentialId: cred.id, tags: ['a'] }, context()))
      if (i % 3 === 0) await run(tagTarget(t.id, ['b', `n${i}`], context()))
      if (i % 5 === 0) await run(updateTarget({ targetId: t.id, name: `renamed-${i}`, attributes: { os: 'linux' } }, context()))
      if (i % 7 === 0) await run(removeTarget(t.id, context()))
    }
    const job = await run(defineJob({ name: 'deploy', steps: [{ kind: 'COMMAND', command: 'echo {{v}}' }], parameters: [{ name: 'v', type: 'STRING' }] }, context()))
    await run(reviseJob({ jobId: job.id, steps: [{ kind: 'COMMAND', command: 'echo v2 {{v}}' }], parameters: [{ name: 'v', type: 'STRING' }] }, context()))
    await run(registerUser({ username: 'ops-user', password: 'long-enough-pw', role: 'OPERATOR' }, context()))

    const indexes = async () =>
      (await h.platform.pool.query("SELECT tablename, indexname, regexp_replace(indexdef, 'INDEX \\S+ ON', 'INDEX ON') AS def FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2")).rows
    const indexesBefore = await indexes()
    const live = await snapshot()
    const check = await rebuildProjections(h.platform.pool, inlineProjections, { swap: false })
    expect(Object.values(check.differences).every((n) => n === 0)).toBe(true)
    expect(check.events).toBeGreaterThan(100)

    const swapped = await rebuildProjections(h.platform.pool, inlineProjections, { swap: true })
    expect(swapped.swapped).toBe(true)
    expect(await snapshot()).toEqual(live)
    // Same indexes, same names, same definitions as the migrations made them.
    expect(await indexes()).toEqual(indexesBefore)

    // Throttling streaks that the periodic clean-up forgot are forgotten by a rebuild too.
    const ip = { ...context().actor, ip: '10.7.0.1' }
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString()
    await run(recordLoginFailure({ username: 'someone', userId: null, reason: 'unknown-user' }, context({ now: twoDaysAgo, actor: ip })))
    await run(recordLoginFailure({ username: 'other', userId: null, reason: 'unknown-user' }, context({ actor: ip })))
    await pruneFailureStreaks(h.platform.pool)
    const streaks = (await h.platform.pool.query('SELECT subject FROM login_throttle ORDER BY subject')).rows
    expect(streaks.map((r) => r.subject.split(':')[0])).toEqual(['ip', 'user'])
    const afterPrune = await rebuildProjections(h.platform.pool, inlineProjections, { swap: false })
    expect(afterPrune.differences).toMatchObject({ login_throttle: 0 })

    // The sink keeps writing into the swapped-in tables.
    const after = await run(registerTarget({ name: 'after-rebuild', address: '10.9.9.9', connection: 'SSH' }, context()))
    const { rows } = await h.platform.pool.query('SELECT name FROM targets WHERE id = $1', [after.id])
    expect(rows).toEqual([{ name: 'after-rebuild' }])
  })

  it('swaps while the sink keeps committing batches that read one read model and write another, without a deadlock', async () => {
    const user = await run(registerUser({ username: 'role-flipper', password: 'long-enough-pw', role: 'VIEWER' }, context()))
    let traffic = true
    // Changing a role reads the users row; registering a target writes targets, which a rebuild
    // locks before users. Both go into the same sink batches.
    const writer = (async () => {
      for (let i = 0; traffic; i++) {
        await Promise.all([
          run(changeUserRole(user.id, i % 2 === 0 ? 'OPERATOR' : 'VIEWER', context({ awaitCommittedMs: 0 }))),
          run(registerTarget({ name: `busy-${i}`, address: '10.3.0.1', connection: 'SSH' }, context({ awaitCommittedMs: 0 })))
        ])
      }
    })()
    try {
      for (let i = 0; i < 8; i++) {
        const swapped = await rebuildProjections(h.platform.pool, inlineProjections, { swap: true })
        expect(swapped.swapped).toBe(true)
      }
    } finally {
      traffic = false
      await writer
    }
    const check = await rebuildProjections(h.platform.pool, inlineProjections, { swap: false })
    expect(Object.values(check.differences).every((n) => n === 0)).toBe(true)
  })

  it('refuses a second rebuild while one runs', async () => {
    const [first, second] = await Promise.allSettled([
      rebuildProjections(h.platform.pool, inlineProjections, { swap: false }),
      rebuildProjections(h.platform.pool, inlineProjections, { swap: false })
    ])
    expect([first.status, second.status].sort()).toEqual(['fulfilled', 'rejected'])
    const refused = [first, second].find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(refused.reason).toBeInstanceOf(RebuildRunning)
    // Once it is done the next one may run.
    expect((await rebuildProjections(h.platform.pool, inlineProjections, { swap: false })).swapped).toBe(false)
  })
})
