import type { ConcurrencyPolicy } from '../jobs/index.ts'

/**
 * Asks for a run slot of job `jobId` for a new execution, before the execution is requested.
 * Every claim on one job meets on one stream (`ops.evt.jobrun.<jobId>`), so JetStream's
 * expected-sequence check serialises them: two writers can never both take the last slot.
 * `policy` and `max` are the job's setting at the time of the claim; `jobName` is for messages.
 */
export interface ClaimRun {
  readonly type: 'ClaimRun'
  readonly jobId: string
  readonly jobName: string
  readonly executionId: string
  readonly policy: ConcurrencyPolicy
  readonly max: number
  readonly at: string
}

export const RELEASE_REASONS = ['FINISHED', 'ABANDONED'] as const
/**
 * FINISHED: the execution ended (or was cancelled while it waited). ABANDONED: the caller found
 * that the execution never came to be (its writer died between claim and request), so the slot
 * or queue place would otherwise be held forever.
 */
export type ReleaseReason = (typeof RELEASE_REASONS)[number]

/** Gives a slot back (or a queue place up); the next waiting execution takes the free slot. */
export interface ReleaseRun {
  readonly type: 'ReleaseRun'
  readonly jobId: string
  readonly executionId: string
  /** FINISHED when omitted. */
  readonly reason?: ReleaseReason
  readonly at: string
}

export type JobRunCommand = ClaimRun | ReleaseRun
