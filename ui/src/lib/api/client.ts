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

export interface GraphQLClient {
  request<T>(query: string, variables?: Variables, options?: { signal?: AbortSignal; anonymous?: boolean }): Promise<T>
}

const post = async <T>(url: string, body: string, token: string | null, signal: AbortSignal | undefined, fetcher: typeof fetch): Promise<GraphQLAnswer<T>> => {
  let response: Response
  try {
    response = await fetcher(url, {
      method: 'POST',
      // application/json is what the server's CSRF defence requires; same-origin sends the refresh
      // cookie. Accepting only application/json keeps GraphQL errors at HTTP 200 (no console noise).
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
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
    async request<T>(query: string, variables: Variables = {}, opts: { signal?: AbortSignal; anonymous?: boolean } = {}): Promise<T> {
      const body = JSON.stringify({ query, variables })
      const token = opts.anonymous ? null : tokens.token()
      let answer = await post<T>(url, body, token, opts.signal, fetcher)
      if (!opts.anonymous && unauthenticated(answer)) {
        const renewed = await tokens.renew(token)
        if (!renewed) {
          tokens.ended()
          throw new ApiError('UNAUTHENTICATED', 'Your session has ended. Sign in again.')
        }
        answer = await post<T>(url, body, renewed, opts.signal, fetcher)
      }
      const first = answer.errors?.[0]
      if (first) throw fromGraphQLError(first)
      if (answer.data === undefined || answer.data === null) throw new ApiError('OTHER', 'The server sent an empty answer.')
      return answer.data
    }
  }
}
