import { getIntrospectionQuery, isObjectType, buildClientSchema } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApi, type TestApi } from './testing.ts'

let api: TestApi
beforeAll(async () => {
  api = await openApi()
})
afterAll(async () => api?.close())

const post = (payload: string, headers: Record<string, string> = {}) =>
  api.app.inject({ method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${api.adminToken}`, ...headers }, payload })

describe('HTTP hardening', () => {
  it('sends security headers on API answers and health checks', async () => {
    for (const response of [await post('{"query":"{ me { id } }"}', { 'content-type': 'application/json' }), await api.app.inject({ url: '/healthz' })]) {
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'content-security-policy': expect.stringContaining("default-src 'none'")
      })
    }
  })

  it('accepts POST only as application/json, which a cross-site form cannot send', async () => {
    const query = JSON.stringify({ query: 'mutation { registerTarget(name: "csrf", address: "10.0.0.1", connection: LOCAL) { id } }' })
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await post(query, { 'content-type': type })
      expect(response.statusCode).toBe(415)
    }
    expect((await api.gql('{ targets { totalCount } }', {}, { token: api.adminToken })).data?.targets.totalCount).toBe(0)
  })

  it('refuses requests that say they come from another site', async () => {
    const body = '{"query":"{ me { id } }"}'
    expect((await post(body, { 'content-type': 'application/json', origin: 'https://evil.example' })).statusCode).toBe(403)
    expect((await post(body, { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403)
    expect((await post(body, { 'content-type': 'application/json', origin: 'http://localhost:80' })).statusCode).toBe(200)
  })

  it('refuses bodies over 1 MiB', async () => {
    const response = await post(JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(1024 * 1024) } }), { 'content-type': 'application/json' })
    expect(response.statusCode).toBe(413)
  })

  it('never runs a mutation over GET', async () => {
    const url = `/graphql?query=${encodeURIComponent('mutation { registerTarget(name: "get", address: "10.0.0.1", connection: LOCAL) { id } }')}`
    const response = await api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${api.adminToken}` } })
    expect(response.statusCode).toBe(405)
  })
})

describe('GraphQL limits', () => {
  it('opens introspection to authenticated callers only, and the standard introspection query fits the limits', async () => {
    const anonymous = await api.gql('{ __schema { queryType { name } } }')
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED')
    const hidden = await api.gql('query { ... on Query { __type(name: "User") { name } } }')
    expect(hidden.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED')
    const full = await api.gql(getIntrospectionQuery(), {}, { token: api.adminToken })
    expect(full.errors).toBeUndefined()
  })

  it('refuses queries nested too deep', async () => {
    // __schema types fields type, then 12 × ofType: 16 levels.
    const nested = `{ __schema { types { fields { type { ${'ofType { '.repeat(12)}name${' }'.repeat(12)} } } } } }`
    const answer = await api.gql(nested, {}, { token: api.adminToken })
    expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX' } })
    expect(answer.errors?.[0]?.message).toMatch(/nested 16 levels deep/)
  })

  it('refuses queries that would cost too much, e.g. many aliased large pages', async () => {
    const aliases = Array.from({ length: 100 }, (_, i) => `t${i}: targets(first: 500) { edges { node { id name tags credential { name } } } }`).join(' ')
    const answer = await api.gql(`{ ${aliases} }`, {}, { token: api.adminToken })
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX' })
  })

  it('counts the windows of lists inside pages: thousands of executions × target runs are refused before they run', async () => {
    const opts = { token: api.adminToken }
    const tooMany = [
      '{ executions(first: 50) { edges { node { targets(first: 10000) { targetId status } } } } }',
      'query($n: Int) { executions(first: 100) { edges { node { targets(first: $n) { targetId } } } } }'
    ]
    for (const query of tooMany) {
      const answer = await api.gql(query, { n: 5 }, opts)
      expect(answer.errors?.[0]?.extensions, query).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX' })
    }
    const fits = '{ executions { edges { node { id targets { status exitCode output } } } } }'
    expect((await api.gql(fits, {}, opts)).errors).toBeUndefined()
  })

  it('masks unexpected errors: no internal detail reaches the caller', async () => {
    const pool = api.h.platform.pool
    const original = pool.query.bind(pool)
    pool.query = ((...args: Parameters<typeof pool.query>) =>
      String(args[0]).includes('FROM jobs') ? Promise.reject(new Error('connection to 10.1.2.3 failed: password authentication failed')) : original(...args)) as typeof pool.query
    try {
      const answer = await api.gql('{ jobs { totalCount } }', {}, { token: api.adminToken })
      expect(answer.errors?.[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } })
      expect(answer.raw).not.toMatch(/10\.1\.2\.3|password authentication/)
    } finally {
      pool.query = original as typeof pool.query
    }
  })
})

describe('Secrets', () => {
  it('has no output field that could carry a secret', async () => {
    const answer = await api.gql(getIntrospectionQuery(), {}, { token: api.adminToken })
    expect(answer.errors).toBeUndefined()
    const schema = buildClientSchema(answer.data as never)
    // Mutation fields are operations (their names may say password); their answers are object types checked here.
    const outputs = Object.values(schema.getTypeMap()).filter((t) => isObjectType(t) && !t.name.startsWith('__') && t.name !== 'Mutation')
    const fields = outputs.flatMap((t) => Object.keys((t as { getFields: () => object }).getFields()).map((f) => `${t.name}.${f}`))
    expect(fields.filter((f) => /password|privatekey|passphrase|secret|hash/i.test(f))).toEqual([])
    // Deliberate: the access token of login, and the API token of createApiToken's answer, shown
    // once (apiToken is its metadata object).
    expect(fields.filter((f) => /token$/i.test(f)).sort()).toEqual(['ApiTokenPayload.apiToken', 'ApiTokenPayload.token', 'AuthPayload.accessToken'])
  })

  it('never answers secret material, whatever is asked', async () => {
    const secrets = ['winrm-Secret-123', 'pp-Secret-456']
    const key = `-----BEGIN OPENSSH PRIVATE KEY-----\nSECRETKEYMATERIAL\n-----END OPENSSH PRIVATE KEY-----`
    const token = api.adminToken
    await api.gql('mutation($p: String!) { createCredential(name: "win", kind: WINRM_PASSWORD, username: "admin", password: $p) { id } }', { p: secrets[0] }, { token })
    const created = await api.gql('mutation($k: String!, $pp: String!) { createCredential(name: "key", kind: SSH_KEY, username: "root", privateKey: $k, passphrase: $pp) { id name } }', { k: key, pp: secrets[1] }, { token })
    const everything = await api.gql(
      '{ credentials { edges { node { id name kind username createdAt updatedAt rotatedAt } } } users { edges { node { id username role } } } apiTokens { edges { node { id name } } } me { id username } }',
      {},
      { token }
    )
    for (const answer of [created, everything]) for (const s of [...secrets, 'SECRETKEYMATERIAL', '$argon2id']) expect(answer.raw).not.toContain(s)
    const stored = await api.h.platform.pool.query('SELECT count(*)::int AS n FROM events WHERE data::text LIKE ANY($1)', [[...secrets, 'SECRETKEYMATERIAL'].map((s) => `%${s}%`)])
    expect(stored.rows[0].n).toBe(0)
  })

  it('withholds password hashes, token hashes and sealed secrets from the audit log and its export, for every reader', async () => {
    const token = api.adminToken
    await api.gql('mutation { createCredential(name: "audit-cred", kind: SSH_PASSWORD, username: "u", password: "audit-Secret-789") { id } }', {}, { token })
    await api.gql('mutation { createApiToken(name: "audit-ci", role: VIEWER) { token } }', {}, { token })
    const viewer = await api.userToken('VIEWER')
    const log = await api.gql('{ auditLog(first: 500) { edges { node { type data } } } }', {}, { token: viewer.token })
    const entries = (log.data?.auditLog.edges as Array<{ node: { type: string; data: Record<string, unknown> } }>).map((e) => e.node)
    const first = (type: string) => entries.find((e) => e.type === type)?.data
    expect(first('UserRegistered')).toMatchObject({ passwordHash: '[withheld]' })
    expect(first('ApiTokenCreated')).toMatchObject({ tokenHash: '[withheld]' })
    expect(first('CredentialCreated')?.secret).toEqual({ sealed: true, keyId: expect.any(String) })
    const exported = await api.app.inject({ method: 'GET', url: '/audit/export?format=ndjson', headers: { authorization: `Bearer ${viewer.token}` } })
    expect(exported.statusCode).toBe(200)
    expect(exported.body).toContain('"passwordHash":"[withheld]"')
    for (const answer of [log.raw, exported.body]) for (const leak of ['$argon2id', 'ciphertext', 'authTag']) expect(answer).not.toContain(leak)
  })
})
