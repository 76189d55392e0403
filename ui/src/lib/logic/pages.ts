/** One page of a cursor-paged connection. */
export interface Page<T> {
  readonly rows: ReadonlyArray<T>
  readonly total: number
  readonly hasNext: boolean
  readonly cursor: string | null
}

export type FetchPage<T> = (after: string | null, size: number) => Promise<Page<T>>

/**
 * Rows of a cursor-paged list, loaded from the start in order as far as the viewer needs: keyset
 * cursors cannot jump, so scrolling far ahead loads the pages in between (big ones, one at a time).
 * The first page is small so the first paint is quick.
 */
export class SequentialPages<T> {
  rows: T[] = []
  total = 0
  hasNext = true
  #cursor: string | null = null
  #inflight: Promise<void> | null = null

  constructor(
    private readonly fetchPage: FetchPage<T>,
    private readonly sizes: { readonly first: number; readonly next: number; readonly ahead: number } = { first: 100, next: 500, ahead: 100 }
  ) {}

  get started(): boolean {
    return this.rows.length > 0 || !this.hasNext
  }

  /** Loads until row `index` (plus some rows ahead) is present or the list ends; `onPage` after each page. */
  async ensure(index: number, onPage: () => void = () => undefined): Promise<void> {
    while (this.hasNext && this.rows.length <= Math.min(index + this.sizes.ahead, this.started ? this.total - 1 : index)) {
      if (!this.#inflight) this.#inflight = this.#loadNext().finally(() => (this.#inflight = null))
      await this.#inflight
      onPage()
    }
  }

  async #loadNext(): Promise<void> {
    const page = await this.fetchPage(this.#cursor, this.rows.length === 0 ? this.sizes.first : this.sizes.next)
    this.rows = this.rows.concat(page.rows)
    this.total = Math.max(page.total, this.rows.length)
    this.hasNext = page.hasNext && page.rows.length > 0
    this.#cursor = page.cursor
    if (!this.hasNext) this.total = this.rows.length
  }
}

/** Turns a GraphQL connection into a Page. */
export const pageOf = <N>(connection: { edges: ReadonlyArray<{ node: N }>; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount?: number }): Page<N> => ({
  rows: connection.edges.map((e) => e.node),
  total: connection.totalCount ?? connection.edges.length,
  hasNext: connection.pageInfo.hasNextPage,
  cursor: connection.pageInfo.endCursor
})
