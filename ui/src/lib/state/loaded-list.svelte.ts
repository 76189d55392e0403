import type { Connection } from '../api/types.ts'

/** Every node of a cursor-paged connection, following `endCursor` page by page. */
export const everyNode = async <T>(fetchPage: (after: string | null) => Promise<Connection<T>>): Promise<T[]> => {
  const nodes: T[] = []
  let after: string | null = null
  for (;;) {
    const page: Connection<T> = await fetchPage(after)
    for (const edge of page.edges) nodes.push(edge.node)
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return nodes
    after = page.pageInfo.endCursor
  }
}

/**
 * A list an admin keeps whole on one page (users, credentials, API tokens): every row, however
 * many pages the server answers in, and the error of the last load. An answer to an older load
 * (say, before a filter changed) is dropped.
 */
export class LoadedList<T> {
  items = $state.raw<ReadonlyArray<T>>([])
  error = $state<unknown>(null)
  loaded = $state(false)
  #generation = 0
  readonly #fetch: () => Promise<ReadonlyArray<T>>

  constructor(fetch: () => Promise<ReadonlyArray<T>>) {
    this.#fetch = fetch
  }

  async load(): Promise<void> {
    const generation = ++this.#generation
    try {
      const items = await this.#fetch()
      if (generation !== this.#generation) return
      this.items = items
      this.error = null
    } catch (e) {
      if (generation === this.#generation) this.error = e
    } finally {
      if (generation === this.#generation) this.loaded = true
    }
  }
}
