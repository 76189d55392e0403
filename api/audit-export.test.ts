import v8 from 'node:v8'
import { runInNewContext } from 'node:vm'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPool, type Pool } from '../projections/db.ts'
import { migrate } from '../projections/migrate.ts'
import { freshDatabase, type FreshDatabase } from '../test/support.ts'
import { csvCell, csvRow, registerAuditExport } from './audit-export.ts'
import { testAuthenticate, testToken } from './subscriptions/testing.ts'

const EVENTS = 50_000
let db: FreshDatabase
let pool: Pool
let app: FastifyInstance
let base: string

beforeAll(async () => {
  db = await freshDatabase('audit_export')
  pool = createPool(db.url, 4)
  await migrate(pool)
  // 50,000 events of about 2 kB each: ~100 MB of export, far more than the memory bound below.
  await pool.query(
    `INSERT INTO events (position, idx, id, stream, type, data, meta, message_id, actor_id, occurred_at, hash)
     SELECT g, 0, gen_random_uuid(), 'target-' || (g % 100), CASE WHEN g % 2 = 0 THEN 'TargetTagged' ELSE 'TargetRegistered' END,
            jsonb_build_object('n', g, 'pad', repeat('x', 2000)),
            jsonb_build_object('actor', jsonb_build_object('kind', 'user', 'id', 'u-' || (g % 7), 'name', 'user ' || (g % 7), 'ip', '10.0.0.' || (g % 250)),
                               'commandId', gen_random_uuid(), 'correlationId', gen_random_uuid(), 'causationId', null,
                               'occurredAt', to_char(timestamptz '2025-01-01' + g * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'schemaVersion', 1),
            'm' || g, 'u-' || (g % 7), timestamptz '2025-01-01' + g * interval '1 second', sha256(g::text::bytea)
     FROM generate_series(1, $1) g`,
    [EVENTS]
  )
  await pool.query(
    `INSERT INTO events (position, idx, id, stream, type, data, meta, message_id, actor_id, occurred_at, hash) VALUES
     ($1, 0, gen_random_uuid(), 'crafted', 'TargetRenamed', '{"name":"a,\\"b\\"\\nc"}',
      '{"actor":{"kind":"token","id":"t-1","name":"=HYPERLINK(\\"http://evil\\")","userAgent":"-1+1"},"occurredAt":"2025-02-01T00:00:00Z"}',
      'mc', 't-1', '2025-02-01', '\\x00')`,
    [EVENTS + 1]
  )
  await pool.query(`INSERT INTO checkpoints (name, position) VALUES ('sink', $1)`, [EVENTS + 1])
  app = Fastify()
  registerAuditExport(app, { db: pool, authenticate: testAuthenticate })
  base = await app.listen({ port: 0, host: '127.0.0.1' })
}, 120_000)

afterAll(async () => {
  await app?.close()
  await pool?.end()
  await db?.drop()
})

const mb = (n: number) => (n / 1048576).toFixed(1)

/**
 * Heap + external growth over a baseline, sampled every 5 ms, with a full GC every 50 ms so
 * that garbage V8 has not yet bothered to collect is not mistaken for buffering.
 */
const sampleMemory = () => {
  v8.setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
  const baseline = process.memoryUsage()
  const growth = () => {
    const m = process.memoryUsage()
    return m.heapUsed + m.external - baseline.heapUsed - baseline.external
  }
  let peak = 0
  let retained = 0
  const sampler = setInterval(() => (peak = Math.max(peak, growth())), 5)
  const collector = setInterval(() => {
    gc()
    retained = Math.max(retained, growth())
  }, 50)
  return {
    stop: () => {
      clearInterval(sampler)
      clearInterval(collector)
      return { peak, retained }
    }
  }
}

const get = (query: string, token: string | null = testToken) =>
  fetch(`${base}/audit/export?${query}`, token ? { headers: { authorization: `Bearer ${token}` } } : {})

describe('Audit export', () => {
  it('streams 50,000 events as NDJSON with bounded memory', async () => {
    const memory = sampleMemory()
    const response = await get('format=ndjson&type=TargetTagged,TargetReg*')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('application/x-ndjson')
    const decoder = new TextDecoder()
    let lines = 0
    let bytes = 0
    let rest = ''
    let first: { position: number } | null = null
    let last = ''
    for await (const chunk of response.body!) {
      bytes += chunk.byteLength
      const text = rest + decoder.decode(chunk, { stream: true })
      const parts = text.split('\n')
      rest = parts.pop()!
      if (!first && parts[0]) first = JSON.parse(parts[0]) as { position: number }
      lines += parts.length
      if (parts.length > 0) last = parts[parts.length - 1]!
    }
    const { peak, retained } = memory.stop()
    expect(rest).toBe('')
    expect(lines).toBe(EVENTS)
    expect(first?.position).toBe(1)
    expect(JSON.parse(last)).toMatchObject({ position: EVENTS, type: 'TargetTagged', actor: { id: `u-${EVENTS % 7}` }, origin: { ip: `10.0.0.${EVENTS % 250}` } })
    expect(bytes).toBeGreaterThan(100 * 1024 * 1024)
    expect(peak).toBeLessThan(50 * 1024 * 1024)
    console.log(`export: ${lines} events, ${(bytes / 1048576).toFixed(0)} MB streamed; memory growth peak ${mb(peak)} MB, retained ${mb(retained)} MB`)
  }, 120_000)

  it('exports CSV with RFC 4180 quoting and no spreadsheet formulas', async () => {
    const response = await get('format=csv&stream=crafted')
    expect(response.headers.get('content-type')).toContain('text/csv')
    const text = await response.text()
    const [header, row, end] = text.split('\r\n')
    expect(header).toBe('position,index,id,occurred_at,type,stream,actor_kind,actor_id,actor_name,ip,user_agent,command_id,correlation_id,causation_id,data,hash')
    expect(row).toContain(`"'=HYPERLINK(""http://evil"")"`)
    expect(row).toContain(`,'-1+1,`)
    expect(text).toContain(`"{""name"":""a,\\""b\\""\\nc""}"`)
    expect(end).toBe('')
  })

  it('filters by actor and time range, newest first on request', async () => {
    const text = await (await get('actorId=u-3&from=2025-01-01T00:00:10Z&to=2025-01-01T00:01:00Z&order=desc')).text()
    const positions = text.trim().split('\n').map((l) => (JSON.parse(l) as { position: number }).position)
    expect(positions).toEqual([59, 52, 45, 38, 31, 24, 17, 10])
  })

  it('refuses callers without a valid token and names a bad parameter', async () => {
    expect((await get('format=csv', null)).status).toBe(401)
    expect((await get('format=csv', 'forged')).status).toBe(401)
    const bad = await get('format=xml')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ error: { code: 'BAD_USER_INPUT', message: 'format: must be ndjson or csv' } })
    expect((await (await get('from=yesterday')).json()).error.message).toMatch(/^from: must be an ISO 8601/)
    expect((await get('to=2025-01-01T10:00')).status).toBe(400)
    expect((await get('to=2025-01-01')).status).toBe(200)
  })
})

describe('CSV cells', () => {
  it('quotes separators, quotes and line breaks, and defuses formulas', () => {
    expect(csvRow(['plain', 'a,b', 'say "hi"', 'two\nlines', null, 42])).toBe('plain,"a,b","say ""hi""","two\nlines",,42')
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx'].map(csvCell)).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx"])
  })
})
