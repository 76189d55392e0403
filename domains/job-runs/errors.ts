import type { InvalidInput, Rejection } from '../shared/index.ts'

/** SKIP policy and every slot taken: the new run is refused, and nothing is recorded for it. */
export interface JobAlreadyRunning extends Rejection<'JobAlreadyRunning'> {}
export const jobAlreadyRunning = (jobName: string, running: number, max: number): JobAlreadyRunning => ({
  _tag: 'JobAlreadyRunning',
  category: 'conflict',
  message: `job ${JSON.stringify(jobName)} is already running (${running} of max ${max})`
})

export type JobRunRejection = InvalidInput | JobAlreadyRunning
