import { ApiError } from '../api/errors.ts'
import { createClient, type GraphQLClient } from '../api/client.ts'
import { LOGIN, LOGOUT, REFRESH } from '../api/queries.ts'
import type { AuthPayload, Role, User } from '../api/types.ts'

export type SessionPhase = 'starting' | 'signed-out' | 'signed-in'

/** Renew this long before the access token expires, so calls rarely meet an expired one. */
const RENEW_MARGIN_MS = 60_000
// After a refresh that failed for a passing reason (the server restarting, the network).
const RETRY_RENEW_MS = 5_000
const CHANNEL = 'opsconductor-session'
const LOCK = 'opsconductor-refresh'

interface Shared {
  readonly type: 'renewed' | 'signed-out'
  readonly payload?: AuthPayload
}

export interface SessionDeps {
  readonly fetch?: typeof fetch
  /** Serialises refreshes across tabs: the server ends a session whose refresh cookie is used twice. */
  readonly withLock?: <T>(run: () => Promise<T>) => Promise<T>
  readonly channel?: Pick<BroadcastChannel, 'postMessage' | 'addEventListener'> | null
  readonly now?: () => number
}

const browserLock = <T>(run: () => Promise<T>): Promise<T> =>
  typeof navigator !== 'undefined' && navigator.locks ? navigator.locks.request(LOCK, run) : run()

/**
 * Who is signed in. The access token lives only in memory; the refresh token is an httpOnly
 * cookie the server rotates on each `refreshSession`. Tabs share renewed tokens over a
 * BroadcastChannel and take turns refreshing under a Web Lock.
 */
export class Session {
  user = $state<User | null>(null)
  phase = $state<SessionPhase>('starting')
  /** Why the person was signed out, shown on the login page. */
  notice = $state<string | null>(null)
  readonly role: Role | null = $derived(this.user?.role ?? null)
  readonly isAdmin: boolean = $derived(this.role === 'ADMIN')
  /** Operators and admins change things; viewers only look. */
  readonly canOperate: boolean = $derived(this.role === 'ADMIN' || this.role === 'OPERATOR')

  readonly client: GraphQLClient
  #token: string | null = null
  #expiresAt = 0
  #renewing: Promise<string | null> | null = null
  #timer: ReturnType<typeof setTimeout> | undefined
  readonly #deps: Required<Omit<SessionDeps, 'channel'>> & { channel: SessionDeps['channel'] }

  constructor(deps: SessionDeps = {}) {
    const channel = deps.channel !== undefined ? deps.channel : typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(CHANNEL) : null
    this.#deps = { fetch: deps.fetch ?? ((...a) => fetch(...a)), withLock: deps.withLock ?? browserLock, channel, now: deps.now ?? Date.now }
    this.client = createClient({ token: () => this.#token, renew: (rejected) => this.renew(rejected), ended: () => this.#end('Your session has ended. Sign in again.') }, { fetch: this.#deps.fetch })
    channel?.addEventListener('message', (event: MessageEvent<Shared>) => this.#onShared(event.data))
  }

  /** The current access token (for subscriptions and downloads). */
  get token(): string | null {
    return this.#token
  }

  /** A token good for at least a minute more (for a WebSocket that will live on with it). */
  async freshToken(): Promise<string | null> {
    if (this.#token && this.#expiresAt - this.#deps.now() > RENEW_MARGIN_MS) return this.#token
    return this.renew()
  }

  /** On page load: a refresh cookie from an earlier visit signs the person in again. */
  async start(): Promise<void> {
    const token = await this.renew()
    if (!token && this.phase === 'starting') this.phase = 'signed-out'
  }

  async login(username: string, password: string): Promise<void> {
    const data = await this.client.request<{ login: AuthPayload }>(LOGIN, { username, password }, { anonymous: true })
    this.notice = null
    this.#adopt(data.login)
    this.#share({ type: 'renewed', payload: data.login })
  }

  async logout(): Promise<void> {
    try {
      await this.client.request<{ logout: boolean }>(LOGOUT, {}, { anonymous: this.#token === null })
    } catch {
      // Signed out locally either way; the refresh cookie expires on its own.
    }
    this.#share({ type: 'signed-out' })
    this.#end(null)
  }

  /**
   * A new access token from the refresh cookie, one refresh at a time; null when the session has
   * ended. `rejected`: the token the server just refused, which must not be handed out again.
   */
  renew(rejected: string | null = null): Promise<string | null> {
    this.#renewing ??= this.#deps
      .withLock(async () => {
        // Another call or tab may have renewed while we waited for the lock.
        if (this.#token && this.#token !== rejected && this.#expiresAt - this.#deps.now() > RENEW_MARGIN_MS) return this.#token
        try {
          const data = await this.client.request<{ refreshSession: AuthPayload }>(REFRESH, {}, { anonymous: true })
          this.#adopt(data.refreshSession)
          this.#share({ type: 'renewed', payload: data.refreshSession })
          return this.#token
        } catch (error) {
          // Only a refusal ends the session. An unreachable, restarting or overloaded server
          // (network error, HTTP 5xx or 429, SERVICE_UNAVAILABLE) leaves the refresh cookie as
          // good as it was: keep the session and try again shortly.
          const refused = error instanceof ApiError && (error.kind === 'UNAUTHENTICATED' || error.kind === 'FORBIDDEN')
          if (!refused && this.phase === 'signed-in') {
            this.#retrySoon()
            // The call that met an expired token fails with the passing error; the session stays.
            if (this.#token === rejected) throw error
            return this.#token
          }
          if (this.phase === 'signed-in') this.#end('Your session has ended. Sign in again.')
          return null
        }
      })
      .finally(() => (this.#renewing = null))
    return this.#renewing
  }

  #retrySoon(): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => void this.renew().catch(() => undefined), RETRY_RENEW_MS)
  }

  #adopt(payload: AuthPayload): void {
    this.#token = payload.accessToken
    this.#expiresAt = Date.parse(payload.expiresAt)
    this.user = payload.user
    this.phase = 'signed-in'
    clearTimeout(this.#timer)
    const wait = Math.max(5_000, this.#expiresAt - this.#deps.now() - RENEW_MARGIN_MS)
    this.#timer = setTimeout(() => void this.renew().catch(() => undefined), wait)
  }

  #end(notice: string | null): void {
    clearTimeout(this.#timer)
    this.#token = null
    this.#expiresAt = 0
    this.user = null
    this.phase = 'signed-out'
    this.notice = notice
  }

  #share(message: Shared): void {
    try {
      this.#deps.channel?.postMessage(message)
    } catch {
      // A closed channel only costs the other tabs a refresh of their own.
    }
  }

  #onShared(message: Shared): void {
    if (message.type === 'renewed' && message.payload) this.#adopt(message.payload)
    if (message.type === 'signed-out' && this.phase === 'signed-in') this.#end('You signed out in another tab.')
  }
}
