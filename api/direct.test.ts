import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApi, type TestApi } from './testing.ts'

let api: TestApi
let viewer: string
beforeAll(async () => {
  api = await openApi()
  viewer = (await api.userToken('VIEWER')).token
})
afterAll(async () => api?.close())

// `application/json` alone takes the direct path; listing graphql-response+json as well sends the
// request through Yoga's full pipeline, which still answers application/json (its last match).
const DIRECT = 'application/json'
const THROUGH_YOGA = 'application/json, application/graphql-response+json'

const ask = async (accept: string, token: string | null, query: string, variables: Record<string, unknown> = {}) => {
  const response = await api.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', accept, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: JSON.stringify({ query, variables })
  })
  return { status: response.statusCode, type: response.headers['content-type'], body: response.json() as unknown }
}

describe('GraphQL direct path', () => {
  // Requests that change nothing (reads and refusals), so each can be asked twice.
  type Case = [name: string, token: () => string | null, query: string, variables?: Record<string, unknown>]
  const cases: Case[] = [
    ['a query', () => api.adminToken, '{ me { id username role } }'],
    ['a field refused to an anonymous caller', () => null, '{ me { id } }'],
    ['a mutation refused to a viewer', () => viewer, 'mutation { registerTarget(name: "x", address: "10.0.0.1", connection: LOCAL) { id } }'],
    ['bad input found by a resolver', () => api.adminToken, '{ targets(first: 0) { totalCount } }'],
    ['a variable of the wrong type', () => api.adminToken, 'query($f: Int) { targets(first: $f) { totalCount } }', { f: 'many' }],
    ['a malformed id in a mutation', () => api.adminToken, 'mutation { removeTarget(id: "not-an-id") }'],
    ['a target filter with a fault', () => api.adminToken, '{ targets(filter: "tag:") { totalCount } }'],
    ['a named operation among several', () => api.adminToken, 'query A { me { id } } query B { me { username } }']
  ]

  it.each(cases)('answers %s exactly as the full Yoga pipeline does', async (...[, token, query, variables]: Case) => {
    const direct = await ask(DIRECT, token(), query, variables)
    const yoga = await ask(THROUGH_YOGA, token(), query, variables)
    expect(direct).toEqual(yoga)
  })

  it('masks an unexpected error as Yoga does', async () => {
    const pool = api.h.platform.pool
    const original = pool.query.bind(pool)
    pool.query = ((...args: Parameters<typeof pool.query>) =>
      String(args[0]).includes('FROM jobs') ? Promise.reject(new Error('disk 7f3a on fire')) : original(...args)) as typeof pool.query
    try {
      const direct = await ask(DIRECT, api.adminToken, '{ jobs { totalCount } }')
      expect(direct).toEqual(await ask(THROUGH_YOGA, api.adminToken, '{ jobs { totalCount } }'))
      expect(JSON.stringify(direct.body)).not.toContain('7f3a')
    } finally {
      pool.query = original as typeof pool.query
    }
  })

  it('leaves what it does not handle to Yoga, with the same answers: parse errors, unknown parameters, anonymous introspection', async () => {
    const raw = (accept: string, payload: object) =>
      api.app
        .inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${api.adminToken}` }, payload: JSON.stringify(payload) })
        .then((r) => ({ status: r.statusCode, body: r.json() as unknown }))
    expect(await ask(DIRECT, api.adminToken, '{ me { id ')).toEqual(await ask(THROUGH_YOGA, api.adminToken, '{ me { id '))
    const unknownParam = { query: '{ me { id } }', extra: 1 }
    expect(await raw(DIRECT, unknownParam)).toEqual(await raw(THROUGH_YOGA, unknownParam))
    expect((await raw(DIRECT, unknownParam)).body).toMatchObject({ errors: [{ message: expect.stringContaining('extra') }] })
    const anonymous = await ask(DIRECT, null, '{ __schema { queryType { name } } }')
    expect(anonymous).toEqual(await ask(THROUGH_YOGA, null, '{ __schema { queryType { name } } }'))
    expect((anonymous.body as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED')
  })

  it('runs a mutation once and answers with its result and the usual headers', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', accept: DIRECT, authorization: `Bearer ${api.adminToken}` },
      payload: JSON.stringify({ query: 'mutation { registerTarget(name: "direct-1", address: "10.0.0.1", connection: LOCAL) { name } }' })
    })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.json()).toEqual({ data: { registerTarget: { name: 'direct-1' } } })
    expect((await api.gql('{ targets(filter: "name:direct-1") { totalCount } }', {}, { token: api.adminToken })).data?.targets.totalCount).toBe(1)
  })
})
