/** One piece of a target run's output, as the API sends it. */
export interface Chunk {
  readonly seq: number
  readonly stepIndex: number
  readonly stream: 'STDOUT' | 'STDERR'
  readonly text: string
}

export const STDOUT = 0
export const STDERR = 1

/**
 * A target run's output as lines, built from chunks in seq order. Lines are plain strings (a 20 MB
 * log is ~20 MB of strings); stream and step per line live in typed arrays. A chunk may end in the
 * middle of a line: that line stays open and the next chunk of the same stream and step continues
 * it, even if the other stream wrote lines in between (its position does not move, so nothing
 * on screen shifts). Chunks at or below the last seq are ignored (replays after a reconnect).
 */
export class LogBuffer {
  readonly lines: string[] = []
  streams = new Uint8Array(1024)
  steps = new Uint16Array(1024)
  lastSeq = 0
  bytes = 0
  /** Longest line so far, in characters (the viewer's content width). */
  longest = 0
  readonly #open = new Map<number, number>()

  get length(): number {
    return this.lines.length
  }

  /** Adds chunks; answers whether anything changed. */
  append(chunks: ReadonlyArray<Chunk>): boolean {
    let changed = false
    for (const chunk of chunks) {
      if (chunk.seq <= this.lastSeq) continue
      this.lastSeq = chunk.seq
      this.bytes += chunk.text.length
      this.#add(chunk.stream === 'STDERR' ? STDERR : STDOUT, chunk.stepIndex, chunk.text)
      changed = true
    }
    return changed
  }

  #add(stream: number, step: number, text: string): void {
    if (text === '') return
    const key = step * 2 + stream
    const parts = text.split('\n')
    const open = this.#open.get(key)
    let from = 0
    if (open !== undefined) {
      this.lines[open] += stripCr(parts[0]!)
      this.#measure(open)
      from = 1
      this.#open.delete(key)
    }
    // After the last "\n" comes either nothing (the line was closed) or an open line.
    const end = parts.length - 1
    for (let i = from; i <= end; i++) {
      if (i === end && parts[i] === '') break
      this.#push(stripCr(parts[i]!), stream, step)
      if (i === end) this.#open.set(key, this.lines.length - 1)
    }
  }

  #push(line: string, stream: number, step: number): void {
    const index = this.lines.length
    if (index >= this.streams.length) {
      const streams = new Uint8Array(this.streams.length * 2)
      streams.set(this.streams)
      this.streams = streams
      const steps = new Uint16Array(this.steps.length * 2)
      steps.set(this.steps)
      this.steps = steps
    }
    this.lines.push(line)
    this.streams[index] = stream
    this.steps[index] = step
    this.#measure(index)
  }

  #measure(index: number): void {
    const n = this.lines[index]!.length
    if (n > this.longest) this.longest = n
  }
}

const stripCr = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line)

export interface LineFilter {
  /** null: both streams. */
  readonly stream: number | null
  /** null: every step. */
  readonly step: number | null
}

/**
 * The lines a filter lets through, as indexes into the buffer; kept up to date incrementally as
 * lines arrive (stream and step of a line never change, so earlier answers stay right).
 */
export class LogView {
  #indexes = new Int32Array(1024)
  #count = 0
  #scanned = 0

  constructor(
    private readonly buffer: LogBuffer,
    readonly filter: LineFilter
  ) {}

  get all(): boolean {
    return this.filter.stream === null && this.filter.step === null
  }

  /** Number of visible lines, after taking in new ones. */
  sync(): number {
    if (this.all) return this.buffer.length
    const { streams, steps } = this.buffer
    const { stream, step } = this.filter
    for (let i = this.#scanned; i < this.buffer.length; i++) {
      if ((stream === null || streams[i] === stream) && (step === null || steps[i] === step)) {
        if (this.#count >= this.#indexes.length) {
          const grown = new Int32Array(this.#indexes.length * 2)
          grown.set(this.#indexes)
          this.#indexes = grown
        }
        this.#indexes[this.#count++] = i
      }
    }
    this.#scanned = this.buffer.length
    return this.#count
  }

  get count(): number {
    return this.all ? this.buffer.length : this.#count
  }

  /** Buffer index of visible line `i`. */
  line(i: number): number {
    return this.all ? i : this.#indexes[i]!
  }

  /** Visible position of buffer line `index`, or the nearest visible one before it. */
  position(index: number): number {
    if (this.all) return index
    let low = 0
    let high = this.#count - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if (this.#indexes[mid]! <= index) low = mid
      else high = mid - 1
    }
    return low
  }
}

/**
 * Visible positions of the lines containing `query` (case-insensitive, ANSI codes ignored only
 * when the line has any), at most `limit` of them.
 */
export const searchLines = (buffer: LogBuffer, view: LogView, query: string, limit = 100_000, from = 0): number[] => {
  if (!query) return []
  const needle = new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i')
  const hits: number[] = []
  const count = view.count
  for (let i = from; i < count && hits.length < limit; i++) {
    const line = buffer.lines[view.line(i)]!
    if (needle.test(line) || (line.includes('\x1b') && needle.test(line.replace(/\x1b\[[0-9;]*m/g, '')))) hits.push(i)
  }
  return hits
}
