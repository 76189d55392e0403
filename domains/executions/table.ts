/**
 * A persistent array for the per-target runs of an execution (up to 10,000). Changing one
 * entry copies only the outer index and one chunk (~O(√n) instead of O(n)), so folding a whole
 * run stays fast while every state remains an immutable value that `decide` may keep.
 */
const CHUNK = 64

export interface Table<T> {
  readonly size: number
  readonly chunks: ReadonlyArray<ReadonlyArray<T>>
}

export const tableOf = <T>(items: ReadonlyArray<T>): Table<T> => {
  const chunks: T[][] = []
  for (let start = 0; start < items.length; start += CHUNK) chunks.push(items.slice(start, start + CHUNK))
  return { size: items.length, chunks }
}

export const entryAt = <T>(table: Table<T>, index: number): T | undefined => table.chunks[Math.floor(index / CHUNK)]?.[index % CHUNK]

export const withEntry = <T>(table: Table<T>, index: number, entry: T): Table<T> => {
  const chunkIndex = Math.floor(index / CHUNK)
  const chunk = table.chunks[chunkIndex]
  if (chunk === undefined || index < 0 || index % CHUNK >= chunk.length) return table
  const nextChunk = chunk.slice()
  nextChunk[index % CHUNK] = entry
  const chunks = table.chunks.slice()
  chunks[chunkIndex] = nextChunk
  return { size: table.size, chunks }
}

export function* entries<T>(table: Table<T>): Generator<[number, T]> {
  let index = 0
  for (const chunk of table.chunks) for (const entry of chunk) yield [index++, entry]
}
