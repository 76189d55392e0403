import type { GraphQLClient } from '../api/client.ts'
import { EXECUTION_OUTPUT, EXECUTION_OUTPUT_LIVE } from '../api/queries.ts'
import type { OutputChunk } from '../api/types.ts'
import { LogBuffer, LogView, searchLines, type LineFilter } from '../logic/log-buffer.ts'
import type { LiveLink } from './live.svelte.ts'

// Node (unit tests) has no animation frames; a 16 ms timer stands in.
const nextFrame = (run: () => void): number =>
  typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : (setTimeout(run, 16) as unknown as number)
const cancelFrame = (id: number): void => (typeof cancelAnimationFrame === 'function' ? cancelAnimationFrame(id) : clearTimeout(id))

/** Bytes per history page: the first shows lines quickly, the rest bring a 20 MB log in three. */
const FIRST_PAGE_BYTES = 512 * 1024
const PAGE_BYTES = 8 * 1024 * 1024
// Hits kept for one search; past this, the viewer says there are more.
const SEARCH_LIMIT = 100_000

/**
 * The output of one target run for the viewer: history in big pages, then live chunks (when the
 * run is still going), batched per animation frame so a chatty process costs one render per frame.
 * `version` changes whenever visible text may have changed.
 */
export class TargetOutput {
  version = $state(0)
  count = $state(0)
  loading = $state(true)
  error = $state<unknown>(null)
  /** Lines found by the search, as visible positions; `hit` is the current one. */
  hits = $state.raw<ReadonlyArray<number>>([])
  hit = $state(-1)
  query = $state('')
  filter = $state.raw<LineFilter>({ stream: null, step: null })
  attempt = $state(0)

  bytes = $state(0)
  buffer = new LogBuffer()
  view = new LogView(this.buffer, this.filter)
  #pending: OutputChunk[] = []
  #frame = 0
  #stop: (() => void) | null = null
  #closed = false

  constructor(
    private readonly client: GraphQLClient,
    private readonly live: Pick<LiveLink, 'subscribe'>,
    readonly executionId: string,
    readonly targetId: string
  ) {}

  /**
   * Visible line `i` for rendering. Reads `version`, so a row re-renders when its text may have
   * changed (an open line grew, or the filter changed what position `i` shows).
   */
  lineAt(i: number): { readonly text: string; readonly number: number; readonly stream: number } {
    void this.version
    const index = this.view.line(i)
    return { text: this.buffer.lines[index] ?? '', number: index + 1, stream: this.buffer.streams[index] ?? 0 }
  }

  /** Longest line in characters (reactive through `version`). */
  get longest(): number {
    void this.version
    return this.buffer.longest
  }

  /**
   * Loads what is stored, in pages: a small first one so lines show at once, then big ones, each
   * requested as soon as the previous answer is in (before it is turned into lines).
   */
  async start(): Promise<void> {
    // Chunks are numbered per attempt: the pages after the first stay with the first page's
    // attempt, so a retry that starts meanwhile cannot make the history skip its first chunks
    // (the live subscription shows the new attempt from its start).
    const page = (attempt: number | null, afterSeq: number, maxBytes: number) =>
      this.client.request<{ executionOutput: OutputChunk[] }>(EXECUTION_OUTPUT, { executionId: this.executionId, targetId: this.targetId, attempt, afterSeq, maxBytes })
    try {
      let next = page(null, 0, FIRST_PAGE_BYTES)
      for (;;) {
        const chunks = (await next).executionOutput
        if (this.#closed) return
        if (chunks.length === 0) break
        next = page(chunks[0]!.attempt, chunks[chunks.length - 1]!.seq, PAGE_BYTES)
        this.#take(chunks)
        this.#flush()
      }
      this.error = null
    } catch (error) {
      this.error = error
    } finally {
      this.loading = false
    }
  }

  /** Follows live output after what is loaded; once (calling again changes nothing). */
  follow(): void {
    if (this.#stop || this.#closed) return
    const loaded = () => this.buffer.lastSeq
    this.#stop = this.live.subscribe<{ executionOutput: OutputChunk }>(
      EXECUTION_OUTPUT_LIVE,
      // A getter: the socket client serialises the variables again when it resubscribes after a
      // reconnect (every token expiry ends the socket), so it asks for what came since, not the
      // whole log again.
      {
        executionId: this.executionId,
        targetId: this.targetId,
        get after() {
          return loaded()
        }
      },
      {
        next: (data) => this.#queue(data.executionOutput),
        error: (error) => (this.error = error)
      }
    )
  }

  close(): void {
    this.#closed = true
    this.#stop?.()
    this.#stop = null
    cancelFrame(this.#frame)
  }

  setFilter(filter: LineFilter): void {
    this.filter = filter
    this.view = new LogView(this.buffer, filter)
    this.count = this.view.sync()
    this.#researchFrom(0)
    this.version++
  }

  search(query: string): void {
    this.query = query
    this.#researchFrom(0)
  }

  /** Moves to the next (+1) or previous (−1) hit; answers its visible position. */
  step(direction: 1 | -1): number | null {
    if (this.hits.length === 0) return null
    this.hit = (this.hit + direction + this.hits.length) % this.hits.length
    return this.hits[this.hit]!
  }

  #researchFrom(from: number): void {
    const kept = this.hits.filter((hit) => hit < from)
    this.hits = kept.concat(searchLines(this.buffer, this.view, this.query, SEARCH_LIMIT - kept.length, from))
    this.hit = this.hits.length ? Math.min(Math.max(this.hit, 0), this.hits.length - 1) : -1
  }


  #queue(chunk: OutputChunk): void {
    this.#pending.push(chunk)
    if (!this.#frame) this.#frame = nextFrame(() => this.#flush())
  }

  #take(chunks: ReadonlyArray<OutputChunk>): void {
    for (const chunk of chunks) {
      // A retry starts a new attempt with its own numbering: show that one from its start.
      if (chunk.attempt > this.attempt) {
        if (this.attempt !== 0) this.#reset()
        this.attempt = chunk.attempt
      }
      if (chunk.attempt === this.attempt) this.buffer.append([chunk])
    }
  }

  #flush(): void {
    this.#frame = 0
    if (this.#pending.length) {
      const chunks = this.#pending
      this.#pending = []
      this.#take(chunks)
    }
    const before = this.count
    this.count = this.view.sync()
    // Lines only ever get added (the last one may still grow): search what is new, not the whole
    // log again on every frame of a 20 MB stream.
    if (this.query && this.count !== before) this.#researchFrom(Math.max(0, before - 1))
    this.bytes = this.buffer.bytes
    this.version++
  }

  #reset(): void {
    this.buffer = new LogBuffer()
    this.view = new LogView(this.buffer, this.filter)
    this.count = 0
    this.bytes = 0
    this.hits = []
    this.hit = -1
  }
}
