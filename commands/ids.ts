import { createHash, randomUUID } from 'node:crypto'

/**
 * The id of an aggregate created by a command, derived from the command id (UUID v5 style).
 * A client that retries a creation with the same command id — even days later, long after the
 * bus's duplicate window — lands on the same stream, and the decider sees it already exists.
 */
export const idFromCommand = (commandId: string, aggregate: string): string => {
  const h = createHash('sha1').update(`opsconductor:${aggregate}:${commandId}`).digest()
  h[6] = (h[6]! & 0x0f) | 0x50
  h[8] = (h[8]! & 0x3f) | 0x80
  const x = h.subarray(0, 16).toString('hex')
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`
}

export const newId = (): string => randomUUID()

/** Stable short id for a unique key (subject tokens cannot hold arbitrary text). */
export const keyDigest = (scope: string, key: string): string => createHash('sha256').update(`${scope}\u0000${key}`).digest('hex').slice(0, 40)
