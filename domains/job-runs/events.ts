import type { DomainEvent } from '../shared/index.ts'
import type { ConcurrencyPolicy } from '../jobs/index.ts'
import type { ReleaseReason } from './commands.ts'

interface OfRun {
  jobId: string
  executionId: string
  at: string
}
/** The limit in force when the event was decided; later promotions from the queue use the latest one. */
interface Limit {
  policy: ConcurrencyPolicy
  max: number
}

/**
 * The execution holds a slot. `queuedAt` is null when it got one at once, else the time it was
 * queued: a queued execution was requested held, and now may start (StartHeldExecution).
 */
export type RunClaimed = DomainEvent<'RunClaimed', OfRun & Limit & { queuedAt: string | null }>
/** No slot free under the QUEUE policy: the execution waits its turn (first in, first out). */
export type RunQueued = DomainEvent<'RunQueued', OfRun & Limit>
export type RunReleased = DomainEvent<'RunReleased', OfRun & { reason: ReleaseReason }>
/** A waiting execution left the queue without ever holding a slot (cancelled, or abandoned). */
export type RunDequeued = DomainEvent<'RunDequeued', OfRun & { reason: ReleaseReason }>

export type JobRunEvent = RunClaimed | RunQueued | RunReleased | RunDequeued
