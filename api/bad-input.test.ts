import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApi, type TestApi } from './testing.ts'

/**
 * Bad input for every argument of every mutation: wrong types, empty, oversize, injection
 * strings. Each must answer BAD_USER_INPUT naming the argument (message and extensions.field)
 * and publish nothing at all. Free-text fields (a credential's username, a step's command)
 * legitimately hold any text; for them "injection" strings are stored verbatim, checked at the end.
 */
let api: TestApi
let operator: { token: string; username: string }
const ids: Record<string, string> = {}
beforeAll(async () => {
  api = await openApi()
  const run = async (query: string, variables: Record<string, unknown> = {}) => {
    const a = await api.gql(query, variables, { token: api.adminToken })
    if (a.errors) throw new Error(a.raw)
    return a.data!
  }
  ids.credential = (await run('mutation { createCredential(name: "base", kind: SSH_PASSWORD, username: "u", password: "pw") { id } }')).createCredential.id
  ids.target = (await run('mutation { registerTarget(name: "base", address: "10.0.0.1", connection: SSH) { id } }')).registerTarget.id
  ids.job = (await run('mutation { defineJob(name: "base", steps: [{ kind: "COMMAND", command: "true" }]) { id } }')).defineJob.id
  ids.token = (await run('mutation { createApiToken(name: "base", role: VIEWER) { id } }')).createApiToken.id
  operator = await api.userToken('OPERATOR')
  ids.user = (await run('{ users(role: OPERATOR) { edges { node { id } } } }')).users.edges[0].node.id
})
afterAll(async () => api?.close())

const LONG = 'x'.repeat(10_000)
const SQL = "'; DROP TABLE targets; --"
const SCRIPT = '<script>alert(1)</script>'
const TEXT = [42, '', '   ', LONG, SQL, SCRIPT, 'nul\u0000byte']
const FREE_TEXT = [42, '', LONG, 'bell\u0007']
const SECRET = [42, '', LONG]
const ID = ['not-a-uuid', "' OR 1=1 --", '', 42, '../../etc/passwd']
const INT = ['abc', 1.5, -1, 70_000, '22; rm -rf /']
const ENUM = ['NOPE', 'ssh', 3, SQL]
const COMMAND_ID = ['', 'x'.repeat(200), 'has space', SQL]
const TAGS = [[''], ['bad tag'], ['a,b'], [SQL], [5], Array.from({ length: 65 }, (_, i) => `t${i}`), [LONG]]

interface Case {
  readonly mutation: string
  /** Argument → GraphQL type, in the order of the signature. */
  readonly args: Record<string, string>
  /** Values that pass on their own (ids of existing objects), so each case varies one argument. */
  readonly base: () => Record<string, unknown>
  readonly bad: Record<string, ReadonlyArray<unknown>>
  readonly selection?: string
  readonly token?: () => string
}

const CASES: Case[] = [
  { mutation: 'login', args: { username: 'String!', password: 'String!' }, base: () => ({ username: 'admin', password: 'some-password' }), bad: { username: TEXT, password: SECRET }, selection: '{ accessToken }' },
  {
    mutation: 'changePassword', args: { oldPassword: 'String!', newPassword: 'String!' },
    base: () => ({ oldPassword: `${operator.username}-password`, newPassword: 'a-fine-new-password' }),
    bad: { oldPassword: SECRET, newPassword: [...SECRET, 'short', () => `${operator.username}-password`] }, selection: '', token: () => operator.token
  },
  { mutation: 'createUser', args: { username: 'String!', password: 'String!', role: 'Role!', commandId: 'ID' }, base: () => ({ username: 'newcomer', password: 'newcomer-password', role: 'VIEWER' }), bad: { username: [...TEXT, 'ab', 'a b'], password: [...SECRET, 'short'], role: ENUM, commandId: COMMAND_ID } },
  { mutation: 'changeUserRole', args: { id: 'ID!', role: 'Role!', commandId: 'ID' }, base: () => ({ id: ids.user, role: 'VIEWER' }), bad: { id: ID, role: ENUM, commandId: COMMAND_ID } },
  { mutation: 'disableUser', args: { id: 'ID!' }, base: () => ({}), bad: { id: ID } },
  { mutation: 'enableUser', args: { id: 'ID!' }, base: () => ({}), bad: { id: ID } },
  { mutation: 'resetUserPassword', args: { id: 'ID!', password: 'String!' }, base: () => ({ id: ids.user, password: 'a-reset-password' }), bad: { id: ID, password: [...SECRET, 'short'] } },
  { mutation: 'createApiToken', args: { name: 'String!', role: 'Role!', expiresAt: 'DateTime' }, base: () => ({ name: 'robot', role: 'VIEWER' }), bad: { name: FREE_TEXT, role: ENUM, expiresAt: ['tomorrow', 12, '2001-01-01T00:00:00Z', '2099-01-01T00:00:00Z', '2030-01-01T00:00:00'] }, selection: '{ id }' },
  { mutation: 'revokeApiToken', args: { id: 'ID!' }, base: () => ({}), bad: { id: ID } },
  {
    mutation: 'createCredential', args: { name: 'String!', kind: 'CredentialKind!', username: 'String!', password: 'String', privateKey: 'String', passphrase: 'String' },
    base: () => ({ name: 'new-cred', kind: 'SSH_PASSWORD', username: 'root', password: 'pw' }),
    bad: { name: TEXT, kind: ENUM, username: FREE_TEXT, password: SECRET, privateKey: ['not a key', LONG], passphrase: ['pp'] }
  },
  {
    mutation: 'rotateCredential', args: { id: 'ID!', username: 'String', password: 'String', privateKey: 'String', passphrase: 'String' },
    base: () => ({ id: ids.credential, password: 'pw2' }),
    bad: { id: ID, username: FREE_TEXT, password: SECRET, privateKey: ['not a key'], passphrase: ['pp'] }
  },
  { mutation: 'deleteCredential', args: { id: 'ID!' }, base: () => ({}), bad: { id: ID }, selection: '' },
  {
    mutation: 'registerTarget',
    args: { name: 'String!', address: 'String!', port: 'Int', connection: 'ConnectionKind!', credentialId: 'ID', tags: '[String!]', attributes: 'JSON', commandId: 'ID' },
    base: () => ({ name: 'new-target', address: '10.0.0.2', connection: 'SSH' }),
    bad: {
      name: [...TEXT, 'has space'], address: [42, '', LONG, SQL, '999.1.1.1', '[::1]', '10.0.0.1; rm -rf /', 'ex ample.com'], port: [...INT, 0], connection: ENUM,
      credentialId: ID, tags: TAGS, attributes: ['str', [1], { OS: 'x' }, { os: 5 }, { tag: 'x' }, { os: LONG }], commandId: COMMAND_ID
    }
  },
  {
    mutation: 'updateTarget', args: { id: 'ID!', name: 'String', address: 'String', port: 'Int', connection: 'ConnectionKind', attributes: 'JSON' },
    base: () => ({ id: ids.target }),
    bad: { id: ID, name: TEXT, address: [42, '', LONG, SQL, '999.1.1.1'], port: INT, connection: ENUM, attributes: ['str', { OS: 'x' }, { os: 5 }] }
  },
  { mutation: 'tagTarget', args: { id: 'ID!', tags: '[String!]!' }, base: () => ({ id: ids.target, tags: ['ok'] }), bad: { id: ID, tags: TAGS } },
  { mutation: 'untagTarget', args: { id: 'ID!', tags: '[String!]!' }, base: () => ({ id: ids.target, tags: ['ok'] }), bad: { id: ID, tags: [[''], [SQL], [5]] } },
  { mutation: 'assignCredential', args: { id: 'ID!', credentialId: 'ID' }, base: () => ({ id: ids.target, credentialId: ids.credential }), bad: { id: ID, credentialId: ID } },
  { mutation: 'removeTarget', args: { id: 'ID!' }, base: () => ({}), bad: { id: ID }, selection: '' },
  {
    mutation: 'defineJob', args: { name: 'String!', description: 'String', steps: '[JSON!]!', parameters: '[JSON!]' },
    base: () => ({ name: 'new-job', steps: [{ kind: 'COMMAND', command: 'true' }] }),
    bad: {
      name: [42, '', LONG], description: [42, LONG],
      steps: [[], [1], ['str'], [{ kind: 'NOPE' }], [{ kind: 'COMMAND' }], [{ kind: 'COMMAND', command: 'true', comand: 'typo' }], [{ kind: 'COMMAND', command: 'true', timeoutSeconds: -5 }]],
      parameters: [[{}], [{ name: 'x', type: 'NOPE' }], [{ name: 'pw', type: 'SECRET', default: 'hunter2' }], [{ name: SQL, type: 'STRING' }]]
    }
  },
  {
    mutation: 'reviseJob', args: { id: 'ID!', name: 'String', description: 'String', steps: '[JSON!]!', parameters: '[JSON!]' },
    base: () => ({ id: ids.job, steps: [{ kind: 'COMMAND', command: 'true' }] }),
    bad: { id: ID, name: [42, '', LONG], description: [42, LONG], steps: [[], [1], [{ kind: 'NOPE' }]], parameters: [[{}], [{ name: 'x', type: 'NOPE' }]] }
  },
  { mutation: 'archiveJob', args: { id: 'ID!' }, base: () => ({}), bad: { id: ID } }
]

const document = (c: Case) => {
  const signature = Object.entries(c.args).map(([name, type]) => `$${name}: ${type}`).join(', ')
  const call = Object.keys(c.args).map((name) => `${name}: $${name}`).join(', ')
  return `mutation(${signature}) { ${c.mutation}(${call}) ${c.selection ?? '{ id }'} }`
}

describe('Bad input', () => {
  for (const c of CASES) {
    it(`${c.mutation}: every bad argument is BAD_USER_INPUT naming it, and nothing is written`, async () => {
      const before = await api.busPosition()
      const keys = async () => (await api.h.platform.pool.query('SELECT count(*)::int AS n FROM credential_keys')).rows[0].n as number
      const keysBefore = await keys()
      const failures: string[] = []
      for (const [argument, values] of Object.entries(c.bad)) {
        for (const given of values) {
          // A function stands for a value known only once the fixtures exist.
          const value = typeof given === 'function' ? (given as () => unknown)() : given
          const answer = await api.gql(document(c), { ...c.base(), [argument]: value }, { token: c.token?.() ?? api.adminToken, ip: '10.66.0.1' })
          const error = answer.errors?.[0]
          const field = String(error?.extensions?.field ?? '')
          const named = field === argument || field.startsWith(`${argument}[`) || field.startsWith(`${argument}.`)
          if (error?.extensions?.code !== 'BAD_USER_INPUT' || !named || !error.message.startsWith(`${field}: `) || answer.data?.[c.mutation])
            failures.push(`${argument} = ${JSON.stringify(value).slice(0, 40)} → ${answer.raw.slice(0, 300)}`)
          if (/hunter2|some-password|a-reset-password/.test(answer.raw)) failures.push(`${argument}: the answer echoes a secret: ${answer.raw}`)
        }
      }
      expect(failures).toEqual([])
      expect(await api.busPosition()).toBe(before)
      expect(await keys()).toBe(keysBefore)
    })
  }

  it('refuses a literal of the wrong type in the query text too', async () => {
    const answer = await api.gql('mutation { registerTarget(name: 5, address: "10.0.0.3", connection: SSH, port: "22") { id } }', {}, { token: api.adminToken })
    expect(answer.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'name'], ['BAD_USER_INPUT', 'port']])
    const missing = await api.gql('mutation { registerTarget(name: "x", connection: SSH) { id } }', {}, { token: api.adminToken })
    expect(missing.errors?.[0]).toMatchObject({ message: 'address: is required', extensions: { code: 'BAD_USER_INPUT', field: 'address' } })
  })

  it('refuses bad query arguments: a malformed filter, a foreign cursor, a page too large', async () => {
    for (const [query, field] of [
      ['{ targets(filter: "tag:(") { totalCount } }', 'filter'],
      ['{ targets(after: "bm90LWEtY3Vyc29y") { totalCount } }', 'after'],
      ['{ targets(first: 100000) { totalCount } }', 'first'],
      ['{ jobs(first: 0) { totalCount } }', 'first'],
      ['{ target(id: "1 OR 1=1") { id } }', 'id']
    ] as const) {
      const answer = await api.gql(query, {}, { token: api.adminToken })
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field })
      expect(answer.errors?.[0]?.message.startsWith(`${field}: `)).toBe(true)
    }
  })

  it('refuses query arguments PostgreSQL could not use, naming them, never as an internal error', async () => {
    const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const uuid = '0b5e3f4c-1d2a-4c8e-9f00-123456789abc'
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['query($f: String) { targets(filter: $f) { totalCount } }', { f: 'os:"a\u0000"' }, 'filter'],
      ['query($n: String) { jobs(name: $n) { totalCount } }', { n: 'a\u0000' }, 'name'],
      ['query($s: String) { auditLog(stream: $s) { edges { node { position } } } }', { s: 'half \ud800' }, 'stream'],
      ['{ auditLog(actorId: "a\\u0000") { edges { node { position } } } }', {}, 'actorId'],
      ['query($a: String) { executions(after: $a) { totalCount } }', { a: cursor(['2020-01-01T00:00:00.000Z', 'x']) }, 'after'],
      ['query($a: String) { executions(after: $a) { totalCount } }', { a: cursor(['1', uuid]) }, 'after'],
      ['query($a: String) { targets(after: $a) { totalCount } }', { a: cursor(['a\u0000', uuid]) }, 'after'],
      ['query($a: String) { jobs(after: $a) { totalCount } }', { a: cursor(['a\u0000', uuid]) }, 'after'],
      ['query($a: String) { auditLog(after: $a) { edges { node { position } } } }', { a: cursor(['d', 5, 2 ** 40]) }, 'after'],
      ['{ auditLog(from: "0000-01-01T00:00:00Z") { edges { node { position } } } }', {}, 'from'],
      ['{ auditLog(to: "9999-12-31T23:59:59-14:00") { edges { node { position } } } }', {}, 'to'],
      ['{ targets(filter: "name:/[\\\\d-z]/") { totalCount } }', {}, 'filter']
    ]
    for (const [query, variables, field] of cases) {
      const answer = await api.gql(query, variables, { token: api.adminToken })
      expect(answer.errors?.[0]?.extensions, `${query} ${JSON.stringify(variables)}`).toMatchObject({ code: 'BAD_USER_INPUT', field })
    }
  })

  it('refuses impossible dates instead of rolling them over', async () => {
    for (const expiresAt of ['2027-02-31T00:00:00Z', '2027-01-01T24:00:00Z', '2027-13-01T00:00:00Z', '2027-01-01T10:60:00Z']) {
      const answer = await api.gql('mutation($e: DateTime) { createApiToken(name: "dated", role: VIEWER, expiresAt: $e) { id } }', { e: expiresAt }, { token: api.adminToken })
      expect(answer.errors?.[0]?.extensions, expiresAt).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresAt' })
    }
    const leap = await api.gql('mutation { createApiToken(name: "leap", role: VIEWER, expiresAt: "2028-02-29T23:59:59+01:00") { apiToken { expiresAt } } }', {}, { token: api.adminToken })
    expect(leap.data?.createApiToken.apiToken.expiresAt).toBe('2028-02-29T22:59:59.000Z')
  })

  it('names batchPercent, the argument the caller sent, when it is out of range', async () => {
    const answer = await api.gql('mutation($j: ID!) { runJob(jobId: $j, targetFilter: "name:base", batchPercent: 0) { id } }', { j: ids.job }, { token: api.adminToken })
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'batchPercent' })
    expect(answer.errors?.[0]?.message.startsWith('batchPercent: ')).toBe(true)
  })

  it('stores injection-looking text in free-text fields verbatim, as data', async () => {
    const command = `echo "${SQL}" && ${SCRIPT}`
    const answer = await api.gql('mutation($c: String!) { defineJob(name: "verbatim", steps: [{ kind: "COMMAND", command: $c }]) { steps { command } } }', { c: command }, { token: api.adminToken })
    expect(answer.data?.defineJob.steps[0].command).toBe(command)
    expect((await api.h.platform.pool.query('SELECT count(*)::int AS n FROM targets')).rows[0].n).toBe(1)
  })
})
