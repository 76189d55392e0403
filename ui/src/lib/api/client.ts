import { ApiError, fromGraphQLError, httpError, networkError, type GraphQLErrorShape } from './errors.ts'

export interface GraphQLAnswer<T> {
  readonly data?: T | null
  readonly errors?: ReadonlyArray<GraphQLErrorShape>
}

export type Variables = Record<string, unknown>

/** Where tokens come from: the session (kept in memory, never in storage). */
export interface TokenSource {
  /** The current access token, or null when signed out. */
  token(): string | null
  /** A new access token (the refresh cookie's) in place of `rejected`; null when the session has ended. Throws when the server cannot renew it just now (the session stays). */
  renew(rejected: string | null): Promise<string | null>
  /** The session ended (refresh refused): the app shows the login page. */
  ended(): void
}

export interface RequestOptions {
  readonly signal?: AbortSignal
  readonly anonymous?: boolean
  /**
   * One key per thing the person asked for (a dialog's Create, a Re-run click), kept across
   * retries: when an answer was lost and they press again, the server applies it once.
   */
  readonly idempotencyKey?: string
}

export interface GraphQLClient {
  request<T>(query: string, variables?: Variables, options?: RequestOptions): Promise<T>
}

const post = async <T>(
  url: string,
  body: string,
  token: string | null,
  opts: RequestOptions,
  fetcher: typeof fetch
): Promise<GraphQLAnswer<T>> => {
  const { signal, idempotencyKey } = opts
  let response: Response
  try {
    response = await fetcher(url, {
      method: 'POST',
      // application/json is what the server's CSRF defence requires; same-origin sends the refresh
      // cookie. Accepting only application/json keeps GraphQL errors at HTTP 200 (no console noise).
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {})
      },
      credentials: 'same-origin',
      body,
      ...(signal ? { signal } : {})
    })
  } catch (error) {
    if (signal?.aborted) throw error
    throw networkError(error)
  }
  const text = await response.text()
  try {
    const answer = JSON.parse(text) as GraphQLAnswer<T>
    if (answer && (answer.data !== undefined || answer.errors !== undefined)) return answer
  } catch {
    // Not GraphQL: a proxy's error page, say.
  }
  throw httpError(response.status, text)
}

const unauthenticated = (answer: GraphQLAnswer<unknown>): boolean =>
  answer.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ?? false

/**
 * A small GraphQL-over-HTTP client. Errors become ApiError (the first one; partial data is not
 * used by this app). An UNAUTHENTICATED answer triggers one refresh of the access token and one
 * retry, so an expired token never reaches the person.
 */
export const createClient = (tokens: TokenSource, options: { url?: string; fetch?: typeof fetch } = {}): GraphQLClient => {
  const url = options.url ?? '/graphql'
  const fetcher = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args))
  return {
    async request<T>(query: string, variables: Variables = {}, opts: RequestOptions = {}): Promise<T> {
      const body = JSON.stringify({ query, variables })
      const token = opts.anonymous ? null : tokens.token()
      let answer = await post<T>(url, body, token, opts, fetcher)
      if (!opts.anonymous && unauthenticated(answer)) {
        const renewed = await tokens.renew(token)
        if (!renewed) {
          tokens.ended()
          throw new ApiError('UNAUTHENTICATED', 'Your session has ended. Sign in again.')
        }
        answer = await post<T>(url, body, renewed, opts, fetcher)
      }
      const first = answer.errors?.[0]
      if (first) throw fromGraphQLError(first)
      if (answer.data === undefined || answer.data === null) throw new ApiError('OTHER', 'The server sent an empty answer.')
      return answer.data
    }
  }
}

/**
 * Idempotency keys for one thing the person asks for (a dialog's Create, a Re-run click): the
 * same request sent again (a second press after a lost answer) gets the same key, so the server
 * applies it once; a changed form is a new request and gets a new key. Renew after a success so
 * the same values can be submitted again on purpose.
 */
export class ActionKey {
  #key = crypto.randomUUID()
  /** The key becomes the command id, which the audit log shows: secret values never go into it. */
  for(variables: Variables): string {
    const shown = Object.fromEntries(Object.entries(variables).filter(([name]) => !SECRET_VARIABLE.test(name)))
    return `${this.#key}.${fnv1a(JSON.stringify(shown))}`
  }
  renew(): void {
    this.#key = crypto.randomUUID()
  }
}

const SECRET_VARIABLE = /password|privatekey|passphrase|secret|token|parameters/i

/** A 32-bit FNV-1a hash as hex: cheap, and enough to tell one form's submissions apart. */
const fnv1a = (text: string): string => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0).toString(16).padStart(8, '0')
}

/** Variables and request options carrying their idempotency key: `request(QUERY, ...withKey(key, variables))`. */
export const withKey = (key: ActionKey, variables: Variables): [Variables, RequestOptions] => [variables, { idempotencyKey: key.for(variables) }]
