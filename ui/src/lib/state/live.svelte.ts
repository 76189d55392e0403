import { createClient, type Client } from 'graphql-ws'
import { fromGraphQLError, type ApiError, type GraphQLErrorShape } from '../api/errors.ts'

export type LinkState = 'idle' | 'connecting' | 'live' | 'reconnecting'

export interface LiveHandlers<T> {
  readonly next: (data: T) => void
  readonly error?: (error: ApiError) => void
  readonly complete?: () => void
}

/**
 * Subscriptions over one WebSocket (graphql-ws at /graphql). The access token goes in
 * `connection_init`; a reconnect asks for a fresh one. `state` drives the "live" indicator.
 */
export class LiveLink {
  state = $state<LinkState>('idle')
  #client: Client | null = null
  #active = 0
  readonly #token: () => Promise<string | null>
  readonly #url: () => string

  constructor(token: () => Promise<string | null>, url?: () => string) {
    this.#token = token
    this.#url = url ?? (() => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`)
  }

  subscribe<T>(query: string, variables: Record<string, unknown>, handlers: LiveHandlers<T>): () => void {
    const client = this.#ensure()
    this.#active++
    let done = false
    const stop = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors?.[0]) handlers.error?.(fromGraphQLError(value.errors[0] as GraphQLErrorShape))
          else if (value.data) handlers.next(value.data as T)
        },
        error: (error) => {
          const errors = Array.isArray(error) ? (error as GraphQLErrorShape[]) : null
          if (errors?.[0]) handlers.error?.(fromGraphQLError(errors[0]))
        },
        complete: () => handlers.complete?.()
      }
    )
    return () => {
      if (done) return
      done = true
      this.#active--
      stop()
    }
  }

  /** After sign-out: the socket carried the old identity. */
  close(): void {
    void this.#client?.dispose()
    this.#client = null
    this.state = 'idle'
  }

  #ensure(): Client {
    if (this.#client) return this.#client
    this.state = 'connecting'
    this.#client = createClient({
      url: this.#url(),
      lazy: true,
      lazyCloseTimeout: 3_000,
      keepAlive: 20_000,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      // Capped exponential backoff with jitter, so a restarted server is not stampeded.
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries) * (0.5 + Math.random() / 2))),
      connectionParams: async () => {
        const token = await this.#token()
        return token ? { authorization: `Bearer ${token}` } : {}
      },
      on: {
        connected: () => (this.state = 'live'),
        closed: () => (this.state = this.#active > 0 ? 'reconnecting' : 'idle'),
        connecting: () => {
          if (this.state !== 'idle') this.state = this.state === 'live' ? 'reconnecting' : this.state
        }
      }
    })
    return this.#client
  }
}
