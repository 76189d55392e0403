// Test support for the API: a real platform (NATS + PostgreSQL, own database and namespace) with
// the app built in-process and driven through app.inject(). Test-only; not a test file itself.
import type { FastifyInstance } from 'fastify'
import { openHarness, type Harness } from '../test/harness.ts'
import { createLogger } from '../runtime/logger.ts'
import { buildApp } from './app.ts'

export interface GqlAnswer<T = Record<string, unknown>> {
  readonly status: number
  readonly data: T | null | undefined
  readonly errors: ReadonlyArray<{ message: string; extensions?: Record<string, unknown>; path?: unknown[] }> | undefined
  readonly extensions: Record<string, unknown> | undefined
  readonly headers: Record<string, unknown>
  readonly raw: string
}

export interface GqlOptions {
  readonly token?: string | undefined
  readonly headers?: Record<string, string>
  readonly ip?: string
}

export interface TestApi {
  readonly h: Harness
  readonly app: FastifyInstance
  readonly gql: <T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: GqlOptions) => Promise<GqlAnswer<T>>
  /** Access token of the bootstrap admin. */
  readonly adminToken: string
  /** Creates a user with the role (unique name) and logs in: its access token. */
  readonly userToken: (role: 'ADMIN' | 'OPERATOR' | 'VIEWER') => Promise<{ token: string; userId: string; username: string }>
  /** An API token with the role. */
  readonly apiToken: (role: 'ADMIN' | 'OPERATOR' | 'VIEWER') => Promise<string>
  /** Last position on the bus: unchanged means nothing at all was published. */
  readonly busPosition: () => Promise<number>
  readonly eventCount: () => Promise<number>
  readonly close: () => Promise<void>
}

export const ADMIN = { username: 'admin', password: 'admin-password-1' } as const
let counter = 0

export const openApi = async (): Promise<TestApi> => {
  const h = await openHarness()
  const logger = createLogger(process.env.OPS_TEST_LOG_LEVEL ?? 'silent')
  const app = await buildApp({ platform: h.platform, logger, sinkAlive: async () => undefined, firstAdmin: ADMIN })
  const gql: TestApi['gql'] = async (query, variables, options = {}) => {
    const response = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers
      },
      ...(options.ip ? { remoteAddress: options.ip } : {}),
      payload: JSON.stringify({ query, variables })
    })
    const body = response.body ? (JSON.parse(response.body) as Record<string, any>) : {}
    return { status: response.statusCode, data: body.data, errors: body.errors, extensions: body.extensions, headers: response.headers, raw: response.body }
  }
  const login = async (username: string, password: string) => {
    const answer = await gql<{ login: { accessToken: string; user: { id: string } } }>(
      'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken user { id } } }',
      { u: username, p: password },
      { ip: `10.99.${counter % 250}.${++counter % 250}` }
    )
    if (!answer.data?.login) throw new Error(`login failed: ${answer.raw}`)
    return answer.data.login
  }
  const admin = await login(ADMIN.username, ADMIN.password)
  const userToken: TestApi['userToken'] = async (role) => {
    const username = `${role.toLowerCase()}-${process.pid}-${++counter}`
    const password = `${username}-password`
    const created = await gql('mutation($u: String!, $p: String!, $r: Role!) { createUser(username: $u, password: $p, role: $r) { id } }', { u: username, p: password, r: role }, { token: admin.accessToken })
    if (created.errors) throw new Error(`createUser failed: ${created.raw}`)
    const session = await login(username, password)
    return { token: session.accessToken, userId: session.user.id, username }
  }
  const apiToken: TestApi['apiToken'] = async (role) => {
    const answer = await gql<{ createApiToken: { token: string } }>(
      'mutation($n: String!, $r: Role!) { createApiToken(name: $n, role: $r) { token } }',
      { n: `${role.toLowerCase()} system ${++counter}`, r: role },
      { token: admin.accessToken }
    )
    if (!answer.data?.createApiToken) throw new Error(`createApiToken failed: ${answer.raw}`)
    return answer.data.createApiToken.token
  }
  return {
    h,
    app,
    gql,
    adminToken: admin.accessToken,
    userToken,
    apiToken,
    busPosition: () => h.platform.eventLog.lastSequence(),
    eventCount: async () => Number((await h.platform.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n),
    close: async () => {
      await app.close()
      await h.close()
    }
  }
}
