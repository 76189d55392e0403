import { describe, expect, it } from 'vitest'
import { specFor } from '../shared/testing.ts'
import type { ClaimRun, ReleaseRun } from './commands.ts'
import { jobRunDecider } from './decider.ts'
import type { JobRunEvent } from './events.ts'

const spec = specFor(jobRunDecider)
const jobId = 'b7e1c2d3-4f5a-4b6c-8d7e-9f0a1b2c3d4e'
const at = '2025-01-01T00:00:00.000Z'
const later = '2025-01-01T00:05:00.000Z'
/** Execution n (1-based): a UUID that reads as its number. */
const run = (n: number): string => `5d6e7f80-0000-4000-8000-${String(n).padStart(12, '0')}`

const claimOf = (n: number, policy: ClaimRun['policy'] = 'QUEUE', max = 1, when = at): ClaimRun => ({
  type: 'ClaimRun', jobId, jobName: 'deploy', executionId: run(n), policy, max, at: when
})
const releaseOf = (n: number, more: Partial<ReleaseRun> = {}): ReleaseRun => ({ type: 'ReleaseRun', jobId, executionId: run(n), at: later, ...more })
const claimed = (n: number, policy: ClaimRun['policy'] = 'QUEUE', max = 1, queuedAt: string | null = null, when = at): JobRunEvent => ({
  type: 'RunClaimed', data: { jobId, executionId: run(n), policy, max, queuedAt, at: when }
})
const queued = (n: number, max = 1): JobRunEvent => ({ type: 'RunQueued', data: { jobId, executionId: run(n), policy: 'QUEUE', max, at } })
const released = (n: number, reason: 'FINISHED' | 'ABANDONED' = 'FINISHED'): JobRunEvent => ({ type: 'RunReleased', data: { jobId, executionId: run(n), reason, at: later } })
const dequeued = (n: number, reason: 'FINISHED' | 'ABANDONED' = 'FINISHED'): JobRunEvent => ({ type: 'RunDequeued', data: { jobId, executionId: run(n), reason, at: later } })
const stateOf = (events: ReadonlyArray<JobRunEvent>) => events.reduce(jobRunDecider.evolve, jobRunDecider.initialState)

describe('Job runs', () => {
  describe('when nothing runs', () => {
    it('gives the first run a slot', () => spec().when(claimOf(1)).then([claimed(1)]))
    it('gives a SKIP run a slot', () => spec().when(claimOf(1, 'SKIP')).then([claimed(1, 'SKIP')]))
    it('ignores a release of an execution it never saw', () => spec().when(releaseOf(1)).thenNothing())
    it('rejects a malformed execution id', () => spec().when({ ...claimOf(1), executionId: 'run-1' }).thenRejects('InvalidInput', 'executionId'))
    it('rejects a malformed job id', () => spec().when({ ...claimOf(1), jobId: 'deploy' }).thenRejects('InvalidInput', 'jobId'))
    it('rejects an unknown policy', () => spec().when(claimOf(1, 'PARALLEL' as 'QUEUE')).thenRejects('InvalidInput', 'policy'))
    it('rejects a max over 100', () => spec().when(claimOf(1, 'QUEUE', 101)).thenRejects('InvalidInput', 'max'))
    it('rejects a time that is not an ISO UTC instant', () => {
      spec().when({ ...claimOf(1), at: 'yesterday' }).thenRejects('InvalidInput', 'at')
      spec().when(releaseOf(1, { at: '2025-02-30T00:00:00Z' })).thenRejects('InvalidInput', 'at')
    })
    it('rejects an unknown release reason', () => spec().when(releaseOf(1, { reason: 'LOST' as 'FINISHED' })).thenRejects('InvalidInput', 'reason'))
  })

  describe('when every slot is taken', () => {
    const full = [claimed(1)]
    it('queues a QUEUE run', () => spec(full).when(claimOf(2)).then([queued(2)]))
    it('refuses a SKIP run, naming the job and the count', () => {
      const rejection = spec([claimed(1, 'SKIP')]).when(claimOf(2, 'SKIP')).thenRejects('JobAlreadyRunning')
      expect(rejection.message).toBe('job "deploy" is already running (1 of max 1)')
      expect(rejection.category).toBe('conflict')
    })
    it('gives slots up to the max', () => spec([claimed(1, 'SKIP', 2)]).when(claimOf(2, 'SKIP', 2)).then([claimed(2, 'SKIP', 2)]))
    it('refuses one over the max', () =>
      expect(spec([claimed(1, 'SKIP', 2), claimed(2, 'SKIP', 2)]).when(claimOf(3, 'SKIP', 2)).thenRejects('JobAlreadyRunning').message).toContain('(2 of max 2)'))
    it('lets an ALLOW run in whatever the count', () => spec(full).when(claimOf(2, 'ALLOW')).then([claimed(2, 'ALLOW')]))
    it('ignores a claim again for the running execution', () => spec(full).when(claimOf(1)).thenNothing())
    it('ignores a claim again for a waiting execution', () => spec([...full, queued(2)]).when(claimOf(2)).thenNothing())
    it('queues a new run behind the waiting ones', () => spec([...full, queued(2)]).when(claimOf(3)).then([queued(3)]))
    it('starts waiting runs first when the max was raised', () =>
      spec([...full, queued(2)]).when(claimOf(3, 'QUEUE', 3)).then([claimed(2, 'QUEUE', 3, at), claimed(3, 'QUEUE', 3)]))
  })

  describe('when a run is released', () => {
    it('frees its slot', () => spec([claimed(1)]).when(releaseOf(1)).then([released(1)]))
    it('hands the slot to the first waiting run in the same decision', () =>
      spec([claimed(1), queued(2), queued(3)]).when(releaseOf(1)).then([released(1), claimed(2, 'QUEUE', 1, at, later)]))
    it('hands out as many slots as the max allows', () =>
      spec([claimed(1, 'QUEUE', 2), claimed(2, 'QUEUE', 2), queued(3, 2), queued(4, 2)])
        .when(releaseOf(1))
        .then([released(1), claimed(3, 'QUEUE', 2, at, later)]))
    it('takes a waiting run out of the queue without freeing any slot', () => spec([claimed(1), queued(2), queued(3)]).when(releaseOf(2)).then([dequeued(2)]))
    it('records an abandoned claim as such', () => spec([claimed(1)]).when(releaseOf(1, { reason: 'ABANDONED' })).then([released(1, 'ABANDONED')]))
    it('ignores a second release', () => spec([claimed(1), released(1)]).when(releaseOf(1)).thenNothing())
    it('lets a new run in once the slot is free', () => spec([claimed(1, 'SKIP'), released(1)]).when(claimOf(2, 'SKIP')).then([claimed(2, 'SKIP')]))
    it('keeps the waiting runs in the order they came', () => {
      const state = stateOf([claimed(1), queued(2), queued(3), released(1), claimed(2, 'QUEUE', 1, at, later)])
      expect(state.active.map((r) => r.executionId)).toEqual([run(2)])
      expect(state.queue.map((r) => r.executionId)).toEqual([run(3)])
    })
  })

  describe('when folding', () => {
    it('lists an execution once even when an event comes twice', () => expect(stateOf([claimed(1), claimed(1)]).active).toHaveLength(1))
    it('remembers when each run took its slot', () => expect(stateOf([claimed(1)]).active).toEqual([{ executionId: run(1), since: at }]))
  })
})
