import { jobs, type DefineJob, type ReviseJob } from '../domains/jobs/index.ts'
import { handleCommand, type CommandContext } from './handler.ts'
import { idFromCommand } from './ids.ts'

export type DefineJobInput = Omit<DefineJob, 'type' | 'jobId' | 'at'>
export type ReviseJobInput = Omit<ReviseJob, 'type' | 'at'>

export const defineJob = (input: DefineJobInput, context: CommandContext) =>
  handleCommand(jobs, { ...input, type: 'DefineJob', jobId: idFromCommand(context.commandId, 'job'), at: context.now }, context)

export const reviseJob = (input: ReviseJobInput, context: CommandContext) =>
  handleCommand(jobs, { ...input, type: 'ReviseJob', at: context.now }, context)

export const archiveJob = (jobId: string, context: CommandContext) => handleCommand(jobs, { type: 'ArchiveJob', jobId, at: context.now }, context)
