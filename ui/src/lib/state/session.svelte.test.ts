import { describe, expect, it } from 'vitest'
import { Session } from './session.svelte.ts'

const user = { id: 'u1', username: 'ada', role: 'OPERATOR' as const }
const auth = (token: string) => ({ accessToken: token, expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(), user })

/** A fake /graphql: answers by operation name, records what it was asked. */
const server = (handlers: Record<string, (auth: string | null) => unknown>) => {
  const calls: Array<{ operation: string; auth: string | null }> = []
  const fetch = async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { query: string }
    const operation = /(?:query|mutation) (\w+)/.exec(body.query)?.[1] ?? '?'
    const authorization = (init?.headers as Record<string, string>).authorization ?? null
    calls.push({ operation, auth: authorization })
    const answer = handlers[operation]?.(authorization) ?? { errors: [{ message: `no handler for ${operation}` }] }
    return new Response(JSON.stringify(answer), { status: 200 })
  }
  return { calls, fetch: fetch as typeof globalThis.fetch }
}

const deps = (fetch: typeof globalThis.fetch) => ({ fetch, channel: null, withLock: <T>(run: () => Promise<T>) => run() })
const unauthenticated = { errors: [{ message: 'authentication required', extensions: { code: 'UNAUTHENTICATED' } }] }

describe('Session', () => {
  it('signs in again on load with the refresh cookie', async () => {
    const s = server({ Refresh: () => ({ data: { refreshSession: auth('t1') } }) })
    const session = new Session(deps(s.fetch))
    expect(session.phase).toBe('starting')
    await session.start()
    expect(session.phase).toBe('signed-in')
    expect(session.user?.username).toBe('ada')
    expect(session.canOperate).toBe(true)
    expect(session.isAdmin).toBe(false)
  })

  it('shows the login page when there is no session', async () => {
    const s = server({ Refresh: () => unauthenticated })
    const session = new Session(deps(s.fetch))
    await session.start()
    expect(session.phase).toBe('signed-out')
    expect(session.notice).toBeNull()
  })

  it('renews an expired access token once and retries the call', async () => {
    let token = 't1'
    const s = server({
      Login: () => ({ data: { login: auth('t1') } }),
      Refresh: () => ({ data: { refreshSession: auth((token = 't2')) } }),
      Jobs: (a) => (a === `Bearer ${token}` && token === 't2' ? { data: { jobs: [] } } : unauthenticated)
    })
    const session = new Session(deps(s.fetch))
    await session.login('ada', 'pw')
    await expect(session.client.request('query Jobs { jobs { totalCount } }')).resolves.toEqual({ jobs: [] })
    expect(s.calls.map((c) => c.operation)).toEqual(['Login', 'Jobs', 'Refresh', 'Jobs'])
  })

  it('refreshes once for many calls that meet an expired token together', async () => {
    const s = server({ Refresh: () => ({ data: { refreshSession: auth('t2') } }) })
    const session = new Session(deps(s.fetch))
    await Promise.all([session.renew(), session.renew(), session.renew()])
    expect(s.calls.filter((c) => c.operation === 'Refresh')).toHaveLength(1)
  })

  it('ends the session with a message when the refresh is refused', async () => {
    const s = server({ Login: () => ({ data: { login: auth('t1') } }), Refresh: () => unauthenticated, Jobs: () => unauthenticated })
    const session = new Session(deps(s.fetch))
    await session.login('ada', 'pw')
    await expect(session.client.request('query Jobs { jobs { totalCount } }')).rejects.toThrow('Your session has ended')
    expect(session.phase).toBe('signed-out')
    expect(session.notice).toMatch(/session has ended/)
  })

  it('keeps the session when a refresh meets a server that is restarting, and renews later', async () => {
    let restarting = true
    const s = server({
      Login: () => ({ data: { login: auth('t1') } }),
      Refresh: () => (restarting ? { errors: [{ message: 'the event store is not available right now', extensions: { code: 'SERVICE_UNAVAILABLE' } }] } : { data: { refreshSession: auth('t2') } }),
      Jobs: (authorization) => (authorization === 'Bearer t2' ? { data: { jobs: { totalCount: 1 } } } : unauthenticated)
    })
    const session = new Session(deps(s.fetch))
    await session.login('ada', 'pw')
    await expect(session.client.request('query Jobs { jobs { totalCount } }')).rejects.toThrow()
    expect(session.phase).toBe('signed-in')
    expect(session.notice).toBeFalsy()
    restarting = false
    expect(await session.client.request('query Jobs { jobs { totalCount } }')).toEqual({ jobs: { totalCount: 1 } })
  })

  it('explains throttled logins', async () => {
    const s = server({ Login: () => ({ errors: [{ message: 'too many failed logins', extensions: { code: 'FORBIDDEN', reason: 'RATE_LIMITED', retryAfterSeconds: 30 } }] }) })
    const session = new Session(deps(s.fetch))
    await expect(session.login('ada', 'x')).rejects.toThrow('Too many failed attempts. Wait 30 seconds before trying again.')
  })

  it('signs out locally even when the server cannot be reached', async () => {
    let reachable = true
    const s = server({ Login: () => ({ data: { login: auth('t1') } }) })
    const fetch = (async (...args: Parameters<typeof globalThis.fetch>) => {
      if (!reachable) throw new TypeError('Failed to fetch')
      return s.fetch(...args)
    }) as typeof globalThis.fetch
    const session = new Session(deps(fetch))
    await session.login('ada', 'pw')
    reachable = false
    await session.logout()
    expect(session.phase).toBe('signed-out')
    expect(session.token).toBeNull()
  })

  it('follows a sign-out in another tab', async () => {
    const listeners: Array<(event: MessageEvent) => void> = []
    const channel = { postMessage: () => undefined, addEventListener: (_: string, l: (event: MessageEvent) => void) => void listeners.push(l) } as unknown as BroadcastChannel
    const s = server({ Login: () => ({ data: { login: auth('t1') } }) })
    const session = new Session({ ...deps(s.fetch), channel })
    await session.login('ada', 'pw')
    for (const l of listeners) l(new MessageEvent('message', { data: { type: 'signed-out' } }))
    expect(session.phase).toBe('signed-out')
    expect(session.notice).toBe('You signed out in another tab.')
  })
})
