import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTargetFilter, type FilterAst } from '../domains/targets/filter/index.ts'
import { freshDatabase, type FreshDatabase } from '../test/support.ts'
import { createPool, type Pool } from './db.ts'
import { migrate } from './migrate.ts'
import { compileTargetFilter, countTargets, encodeCursor, queryTargets, TargetFilterError, type TargetQuery } from './target-filter-sql.ts'

interface Seed {
  id: string
  name: string
  address: string
  connection: string
  tags: string[]
  attributes: Record<string, string>
}

const KINDS = ['web', 'db', 'cache', 'app', 'mail'] as const
const COUNT = 10_000

// Varied but deterministic apart from the ids; 40 targets share the name "dup-same" up to case.
const seed = (i: number): Seed => {
  const kind = KINDS[i % KINDS.length] ?? 'web'
  const n = String(i).padStart(4, '0')
  const name = i % 500 === 7 ? 'dup-same' : i % 500 === 8 ? 'Dup-Same' : i % 97 === 0 ? `${kind.toUpperCase()}-${n}` : `${kind}-${n}`
  const address = i % 7 === 0 ? `${kind}${n}.example.com` : `10.${Math.floor(i / 2500)}.${Math.floor(i / 250) % 10}.${(i % 250) + 1}`
  const connection = i % 10 === 3 ? 'WINRM' : i % 50 === 1 ? 'LOCAL' : 'SSH'
  const tags = [kind, ['prod', 'staging', 'dev'][i % 3] ?? 'dev', i % 2 ? 'eu' : 'us', ...(i % 11 === 0 ? ['legacy'] : []), ...(i % 400 === 5 ? ['canary'] : [])].sort()
  const attributes = { ...(i % 9 === 4 ? {} : { os: connection === 'WINRM' ? 'windows' : 'linux' }), rack: `r${i % 20}`, ...(i % 333 === 0 ? { owner: 'team-x' } : {}) }
  return { id: randomUUID(), name, address, connection, tags, attributes }
}

const globToRegExp = (glob: string): RegExp =>
  new RegExp(`^${[...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('')}$`, 's')

/** The reference semantics, evaluated in JS over the same rows. */
const matches = (ast: FilterAst, t: Seed): boolean => {
  switch (ast.kind) {
    case 'all': return true
    case 'and': return ast.items.every((item) => matches(item, t))
    case 'or': return ast.items.some((item) => matches(item, t))
    case 'not': return !matches(ast.item, t)
    case 'tag': return t.tags.includes(ast.tag)
    case 'attribute': return Object.hasOwn(t.attributes, ast.key) && t.attributes[ast.key] === ast.value
    case 'connection': return t.connection === ast.connection
    case 'id': return t.id === ast.id
    case 'glob': return globToRegExp(ast.pattern.toLowerCase()).test(t[ast.field].toLowerCase())
    case 'regex': return new RegExp(ast.source, ast.ignoreCase ? 'i' : '').test(t[ast.field])
  }
}

const parsed = (filter: string): FilterAst => {
  const result = parseTargetFilter(filter)
  if (!result.ok) throw new Error(result.error.message)
  return result.filter
}
// The test database uses the C collation, so byte order of the lower-cased ASCII names is PostgreSQL's order.
const byKey = (a: Seed, b: Seed): number => {
  const [x, y] = [a.name.toLowerCase(), b.name.toLowerCase()]
  return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
const expected = (filter: string): string[] => seeds.filter((t) => matches(parsed(filter), t)).sort(byKey).map((t) => t.id)

const seeds = Array.from({ length: COUNT }, (_, i) => seed(i))
const someId = seeds[1234]?.id ?? ''
const FILTERS = [
  '', 'tag:web', 'tag:web+tag:prod', 'tag:web,tag:db', 'tag:db+tag:prod,tag:cache+!tag:legacy', '!(tag:prod,tag:staging)',
  'name:web-00*', 'web-1?3?', 'name:/^db-\\d+6$/', 'name:/^WEB-00/i', 'name:cache-0097', 'address:10.0.1*',
  'address:*.example.com+tag:legacy', 'os:windows+connection:WINRM', 'tag:canary', 'owner:team-x,tag:canary', 'rack:r7+!os:linux', '(tag:eu,tag:us)+tag:legacy+!connection:SSH',
  'name:dup-same', 'name:web_00*', 'name:%', 'address:/^10\\.3\\.[0-4]\\.1\\d$/', `id:${someId}`
]

let database: FreshDatabase
let pool: Pool

beforeAll(async () => {
  database = await freshDatabase('filter')
  pool = createPool(database.url, 4)
  await migrate(pool)
  const columns = 7
  for (let start = 0; start < COUNT; start += 1_000) {
    const chunk = seeds.slice(start, start + 1_000)
    const values = chunk.map((_, r) => {
      const p = (k: number): string => `$${r * columns + k}`
      return `(${p(1)}, ${p(2)}, ${p(3)}, 22, ${p(4)}, ${p(5)}, ${p(6)}, now(), now(), ${p(7)})`
    })
    const params = chunk.flatMap((t, r) => [t.id, t.name, t.address, t.connection, t.tags, JSON.stringify(t.attributes), start + r + 1])
    await pool.query(`INSERT INTO targets (id, name, address, port, connection, tags, attributes, created_at, updated_at, position) VALUES ${values.join(', ')}`, params)
  }
  // VACUUM also flushes the GIN pending lists filled by the inserts, as autovacuum would in service.
  await pool.query('VACUUM ANALYZE targets')
})

afterAll(async () => {
  await pool?.end()
  await database?.drop()
})

const walk = async (query: Omit<TargetQuery, 'after'>): Promise<string[]> => {
  const ids: string[] = []
  let after: string | undefined
  for (;;) {
    const page = await queryTargets(pool, { ...query, after })
    ids.push(...page.rows.map((row) => row.id))
    if (!page.hasNextPage) return ids
    after = page.endCursor ?? undefined
  }
}

describe('Target filter on PostgreSQL', () => {
  it.each(FILTERS)('selects the same first page and count as the reference for %j', async (filter) => {
    const want = expected(filter)
    const page = await queryTargets(pool, { filter, first: 50 })
    expect(page.rows.map((row) => row.id)).toEqual(want.slice(0, 50))
    expect(page.totalCount).toBe(want.length)
    expect(page.hasNextPage).toBe(want.length > 50)
  })

  it('selects a non-trivial share for most filters', () => {
    expect(FILTERS.filter((f) => expected(f).length > 0).length).toBeGreaterThanOrEqual(FILTERS.length - 2)
    expect(expected('name:dup-same')).toHaveLength(40)
  })

  it.each<[string, number]>([['', 500], ['tag:web+tag:prod', 137], ['name:dup*', 3], ['!tag:legacy,os:windows', 499]])(
    'walks every match of %j exactly once, %i at a time',
    async (filter, first) => {
      const ids = await walk({ filter, first })
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids).toEqual(expected(filter))
    }
  )

  it('runs every filter with its first page in well under 100 ms (median of 5)', async () => {
    const medians: Record<string, number> = {}
    for (const filter of FILTERS) {
      await queryTargets(pool, { filter, first: 50 })
      const times: number[] = []
      for (let run = 0; run < 5; run++) {
        const started = performance.now()
        await queryTargets(pool, { filter, first: 50 })
        times.push(performance.now() - started)
      }
      medians[filter] = Number(([...times].sort((a, b) => a - b)[2] ?? 0).toFixed(1))
    }
    console.log('target filter, first 50 of 10k (median ms):', medians)
    for (const median of Object.values(medians)) expect(median).toBeLessThan(100)
  })

  it('treats SQL in values as plain text', async () => {
    const hostile = ["name:\"'; DROP TABLE targets; --\"", "os:\"x' OR '1'='1\"", "name:/'; DROP TABLE targets; --/", "address:\"1' OR 1=1 --*\"", "\"web-0001' --\""]
    for (const filter of hostile) expect(await countTargets(pool, filter)).toBe(0)
    const after = encodeCursor({ sortName: "'); DROP TABLE targets; --", id: randomUUID() })
    expect((await queryTargets(pool, { first: 1, after })).rows).toHaveLength(1)
    expect(await countTargets(pool)).toBe(COUNT)
  })

  it('hands PostgreSQL only regular expressions it reads like JS', async () => {
    const samples = ['^(?:web|db)-[0-9a-f]{2,4}[^x\\d]?\\w\\s*$', 'a+?b*c??', 'a\\/b', '[\\w.-]+\\.example\\.com$', '^\\D\\S\\W|x{0,255}']
    for (const source of samples) {
      expect(parsed(`name:/${source}/`)).toEqual({ kind: 'regex', field: 'name', source, ignoreCase: false })
      const names = ['web-0a1x7 ', 'a/b', 'cache.example.com', 'x-y z']
      const { rows } = await pool.query('SELECT n FROM unnest($1::text[]) AS n WHERE n ~ $2', [names, source])
      expect(rows.map((row: { n: string }) => row.n)).toEqual(names.filter((n) => new RegExp(source).test(n)))
    }
  })

  it('compiles to numbered parameters only', () => {
    expect(compileTargetFilter(parsed("tag:web+!(os:linux,name:a_*)"), 3)).toEqual({
      where: "(tags @> ARRAY[$3]::text[] AND NOT ((attributes @> $4::jsonb OR lower(name) LIKE lower($5) ESCAPE '\\')))",
      params: ['web', '{"os":"linux"}', 'a\\_%']
    })
  })

  describe('when the input is bad', () => {
    const refusal = (query: TargetQuery): Promise<unknown> => queryTargets(pool, query).then(() => undefined, (error: unknown) => error)

    it('throws a TargetFilterError with the position for a malformed filter', async () => {
      const error = await refusal({ filter: 'tag:web+', first: 10 })
      expect(error).toBeInstanceOf(TargetFilterError)
      expect(error).toMatchObject({ _tag: 'TargetFilterError', field: 'filter', position: 8, message: expect.stringContaining('expected a term after "+"') })
    })

    it.each([0, 501, 1.5])('refuses first = %d', async (first) =>
      expect(await refusal({ first })).toMatchObject({ _tag: 'TargetFilterError', field: 'first', message: expect.stringContaining('from 1 to 500') }))

    it.each(['garbage', encodeCursor({ sortName: 'a', id: 'not-a-uuid' })])('refuses the cursor %j', async (after) =>
      expect(await refusal({ first: 5, after })).toMatchObject({ _tag: 'TargetFilterError', field: 'after' }))
  })
})
