import { SequentialPages, type FetchPage } from '../logic/pages.ts'

/**
 * A long server-paged list for a virtualized view: `rows` grows as the viewer scrolls towards
 * rows not loaded yet; changing the query starts over, and answers to an older query are dropped.
 */
export class PagedList<T, Q> {
  rows = $state.raw<ReadonlyArray<T>>([])
  total = $state(0)
  loading = $state(false)
  /** The first page of the current query has arrived. */
  ready = $state(false)
  error = $state<unknown>(null)
  query: Q
  #pages: SequentialPages<T>
  #generation = 0
  readonly #fetch: (query: Q) => FetchPage<T>
  readonly #sizes: { readonly first: number; readonly next: number; readonly ahead: number }

  constructor(fetch: (query: Q) => FetchPage<T>, query: Q, sizes: { readonly first: number; readonly next: number; readonly ahead: number } = { first: 100, next: 400, ahead: 100 }) {
    this.#fetch = fetch
    this.#sizes = sizes
    this.query = query
    this.#pages = new SequentialPages(fetch(query), sizes)
  }

  /** Starts over with a new query (a filter); resolves when its first page is in. */
  async reset(query: Q): Promise<void> {
    this.query = query
    this.#pages = new SequentialPages(this.#fetch(query), this.#sizes)
    this.#generation++
    this.ready = false
    await this.ensure(0)
  }

  reload(): Promise<void> {
    return this.reset(this.query)
  }

  /** Makes sure row `index` is loaded (the virtual list calls this with its last visible row). */
  async ensure(index: number): Promise<void> {
    const generation = this.#generation
    const pages = this.#pages
    if (pages.started && (index < pages.rows.length || !pages.hasNext)) return
    this.loading = true
    try {
      await pages.ensure(index, () => {
        if (generation !== this.#generation) return
        this.rows = pages.rows
        this.total = pages.total
        this.ready = true
        this.error = null
      })
    } catch (error) {
      if (generation === this.#generation) this.error = error
    } finally {
      if (generation === this.#generation) this.loading = false
    }
  }
}
