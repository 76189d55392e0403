import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { targets, type TargetCommand } from '../domains/targets/index.ts'
import { openHarness, type Harness } from '../test/harness.ts'
import { readAuditPage, verifyAuditChain } from './audit-log.ts'
import { typeCondition, typeMatcher } from './event-type-patterns.ts'

const run = promisify(execFile)
let h: Harness
const alice = { kind: 'user' as const, id: 'u-alice', name: 'alice', ip: '10.1.2.3', userAgent: 'curl/8.5' }
const ci = { kind: 'token' as const, id: 't-ci', name: 'ci pipeline' }
const targetIds: string[] = []

const register = (targetId: string): TargetCommand => ({
  type: 'RegisterTarget', targetId, name: `host-${targetId.slice(0, 8)}`, address: '10.0.0.9', connection: 'SSH', tags: [], at: new Date().toISOString()
})
const tag = (targetId: string, t: string): TargetCommand => ({ type: 'TagTarget', targetId, tags: [t], at: new Date().toISOString() })

beforeAll(async () => {
  h = await openHarness()
  for (let i = 0; i < 6; i++) {
    const id = crypto.randomUUID()
    targetIds.push(id)
    const r = await h.run(h.platform, targets, register(id), { actor: i % 2 === 0 ? alice : ci })
    if (r._tag !== 'Success') throw r.failure
    await h.run(h.platform, targets, tag(id, `t${i}`), { actor: ci })
  }
})
afterAll(async () => {
  await h?.close()
})

const all = () => readAuditPage(h.platform.pool, { filter: {}, order: 'ASC', after: null, limit: 10_000 })

describe('Audit log', () => {
  it('shows who, what, when and from where for every event', async () => {
    const entries = await readAuditPage(h.platform.pool, { filter: { actorId: 'u-alice', types: ['TargetRegistered'] }, order: 'DESC', after: null, limit: 100 })
    expect(entries).toHaveLength(3)
    expect(entries[0]!.position).toBeGreaterThan(entries[2]!.position)
    for (const e of entries) {
      expect(e.actor).toMatchObject({ kind: 'user', id: 'u-alice', name: 'alice' })
      expect(e.origin).toEqual({ ip: '10.1.2.3', userAgent: 'curl/8.5' })
      expect(Date.parse(e.occurredAt)).not.toBeNaN()
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/)
    }
  })

  it('filters by type pattern, stream and time range, and pages by key in either order', async () => {
    const pool = h.platform.pool
    const tagged = await readAuditPage(pool, { filter: { types: ['Target*ged'] }, order: 'ASC', after: null, limit: 100 })
    expect(tagged.map((e) => e.type)).toEqual(Array(6).fill('TargetTagged'))
    const one = await readAuditPage(pool, { filter: { stream: `target-${targetIds[1]}` }, order: 'ASC', after: null, limit: 100 })
    expect(one.map((e) => e.type)).toEqual(['TargetRegistered', 'TargetTagged'])
    const future = await readAuditPage(pool, { filter: { from: new Date(Date.now() + 60_000).toISOString() }, order: 'ASC', after: null, limit: 100 })
    expect(future).toEqual([])
    const everything = await all()
    const firstPage = await readAuditPage(pool, { filter: {}, order: 'DESC', after: null, limit: 3 })
    const secondPage = await readAuditPage(pool, { filter: {}, order: 'DESC', after: firstPage[2]!, limit: 3 })
    expect([...firstPage, ...secondPage].map((e) => e.id)).toEqual([...everything].reverse().slice(0, 6).map((e) => e.id))
  })

  it('matches exact names and *-patterns the same way in SQL and in memory', () => {
    const params: unknown[] = []
    expect(typeCondition(['Execution*', 'TargetTagged'], params)).toBe('(type = ANY($1::text[]) OR type LIKE ANY($2::text[]))')
    expect(params).toEqual([['TargetTagged'], ['Execution%']])
    expect(typeCondition(['*'], [])).toBeNull()
    const m = typeMatcher(['Execution*', 'TargetTagged'])
    expect(['ExecutionStarted', 'TargetTagged', 'TargetRegistered', 'XExecution'].map(m)).toEqual([true, true, false, false])
    expect(typeMatcher(['Target_*'])('TargetXRegistered')).toBe(false)
  })
})

describe('Audit chain', () => {
  it('is intact as the sink wrote it', async () => {
    const verdict = await verifyAuditChain(h.platform.pool, { pageSize: 5 })
    const entries = await all()
    expect(verdict).toEqual({ ok: true, count: entries.length, lastPosition: entries[entries.length - 1]!.position })
  })

  it('reports the first edited row, also through npm run audit:verify', async () => {
    const entries = await all()
    const victim = entries[7]!
    await h.platform.pool.query(`UPDATE events SET data = jsonb_set(data, '{address}', '"6.6.6.6"') WHERE position = $1 AND idx = $2`, [victim.position, victim.index])
    const verdict = await verifyAuditChain(h.platform.pool, { pageSize: 5 })
    expect(verdict).toMatchObject({ ok: false, position: victim.position, index: victim.index, count: 7 })

    const script = await run('npx', ['tsx', 'scripts/audit-verify.ts'], { env: { ...process.env, DATABASE_URL: h.databaseUrl } }).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e
    )
    expect(script.code).toBe(1)
    expect(script.stdout).toContain(`audit chain broken at position ${victim.position} (index ${victim.index})`)

    await h.platform.pool.query('UPDATE events SET data = $3 WHERE position = $1 AND idx = $2', [victim.position, victim.index, JSON.stringify(victim.data)])
    expect((await verifyAuditChain(h.platform.pool)).ok).toBe(true)
  })

  it('detects a deleted row at the row after it, and rows removed from the end', async () => {
    const entries = await all()
    const [victim, next, last] = [entries[3]!, entries[4]!, entries[entries.length - 1]!]
    await h.platform.pool.query('DELETE FROM events WHERE position = $1 AND idx = $2', [last.position, last.index])
    expect(await verifyAuditChain(h.platform.pool)).toMatchObject({ ok: false, position: entries[entries.length - 2]!.position + 1, index: null })
    await h.platform.pool.query('DELETE FROM events WHERE position = $1 AND idx = $2', [victim.position, victim.index])
    expect(await verifyAuditChain(h.platform.pool)).toMatchObject({ ok: false, position: next.position, index: next.index, count: 3 })
  })
})
