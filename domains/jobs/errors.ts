import type { InvalidInput, Rejection } from '../shared/index.ts'

export interface JobNotFound extends Rejection<'JobNotFound'> {}
export const jobNotFound = (jobId: string): JobNotFound => ({ _tag: 'JobNotFound', category: 'missing', message: `job ${jobId} does not exist` })

export interface JobAlreadyDefined extends Rejection<'JobAlreadyDefined'> {}
export const jobAlreadyDefined = (jobId: string, version: number): JobAlreadyDefined => ({
  _tag: 'JobAlreadyDefined',
  category: 'conflict',
  message: `job ${jobId} is already defined (version ${version}) with another definition; revise it instead`
})

export interface JobAlreadyArchived extends Rejection<'JobAlreadyArchived'> {}
export const jobAlreadyArchived = (jobId: string): JobAlreadyArchived => ({
  _tag: 'JobAlreadyArchived',
  category: 'conflict',
  message: `job ${jobId} is archived and takes no new definitions`
})

export type JobRejection = InvalidInput | JobNotFound | JobAlreadyDefined | JobAlreadyArchived
