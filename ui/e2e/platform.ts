// The real platform for UI tests and the UI benchmark: NATS + PostgreSQL (own database and
// namespace), sink, dispatcher, output sink and a worker, and the API with the built UI on an
// ephemeral port. Test support; not a test file itself.
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../api/app.ts'
import { registerUi } from '../../api/static-ui.ts'
import { createLogger } from '../../runtime/logger.ts'
import { ensureUiBuilt, UI_DIST } from '../../scripts/build-ui.ts'
import { openHarness, type Harness } from '../../test/harness.ts'

export const ADMIN = { username: 'admin', password: 'admin-password-ui-1' } as const

export interface UiPlatform {
  readonly h: Harness
  readonly app: FastifyInstance
  readonly url: string
  /** GraphQL as a script would call it (for setting up data quickly). */
  readonly gql: <T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string) => Promise<T>
  readonly login: (username: string, password: string) => Promise<string>
  readonly close: () => Promise<void>
}

export const startUiPlatform = async (options: { execution?: boolean } = {}): Promise<UiPlatform> => {
  await ensureUiBuilt((line) => console.log(`[ui] ${line}`))
  const h = await openHarness()
  if (options.execution !== false) await h.startExecution(1, 16)
  const logger = createLogger(process.env.OPS_TEST_LOG_LEVEL ?? 'silent')
  const app = await buildApp({ platform: h.platform, logger, sinkAlive: async () => undefined, firstAdmin: ADMIN })
  registerUi(app, { distDir: UI_DIST })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const gql: UiPlatform['gql'] = async (query, variables = {}, token) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables })
    })
    const answer = (await response.json()) as { data?: any; errors?: Array<{ message: string }> }
    if (answer.errors?.length) throw new Error(`GraphQL: ${answer.errors.map((e) => e.message).join('; ')}`)
    return answer.data
  }
  const login = async (username: string, password: string) =>
    (await gql<{ login: { accessToken: string } }>('mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }', { u: username, p: password })).login.accessToken
  return {
    h,
    app,
    url,
    gql,
    login,
    close: async () => {
      await app.close()
      await h.close()
    }
  }
}
