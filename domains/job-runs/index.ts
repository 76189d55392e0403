import type { JobRunCommand } from './commands.ts'
import { jobRunDecider } from './decider.ts'

export * from './commands.ts'
export * from './events.ts'
export * from './errors.ts'
export { holds, jobRunDecider, type ActiveRun, type JobRunState, type RunLimit, type WaitingRun } from './decider.ts'

/**
 * The runs of one job: `ops.evt.jobrun.<jobId>`. Only jobs with a QUEUE or SKIP policy write
 * here; it is the expectation-guarded count of their active runs (a projection query would race).
 */
export const jobRuns = { kind: 'jobrun', streamId: (c: JobRunCommand) => c.jobId, decider: jobRunDecider } as const
