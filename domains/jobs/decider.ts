import { absurd, accept, jsonEqual, reject, type Decider, type Decision } from '../shared/index.ts'
import type { ArchiveJob, DefineJob, JobCommand, ReviseJob } from './commands.ts'
import type { JobDefinition } from './definition.ts'
import { jobAlreadyArchived, jobAlreadyDefined, jobNotFound, type JobRejection } from './errors.ts'
import type { JobEvent } from './events.ts'
import { checkJobId, definitionOf, normalizeDefinition } from './normalize.ts'

export type JobState =
  | { readonly status: 'absent' }
  | { readonly status: 'active' | 'archived'; readonly jobId: string; readonly version: number; readonly definition: JobDefinition }

export const initialState: JobState = { status: 'absent' }

export const evolve = (state: JobState, event: JobEvent): JobState => {
  switch (event.type) {
    case 'JobDefined':
    case 'JobRevised': {
      const { jobId, version } = event.data
      return { status: 'active', jobId, version, definition: definitionOf(event.data) }
    }
    case 'JobArchived':
      return state.status === 'absent' ? state : { ...state, status: 'archived' }
    default:
      return absurd(event)
  }
}

export const isTerminal = (state: JobState): boolean => state.status === 'archived'

type JobDecision = Decision<JobEvent, JobRejection>

const define = (command: DefineJob, state: JobState): JobDecision => {
  const fault = checkJobId(command.jobId)()
  if (fault) return reject(fault)
  const definition = normalizeDefinition(command)
  if ('_tag' in definition) return reject(definition)
  if (state.status === 'archived') return reject(jobAlreadyArchived(command.jobId))
  if (state.status === 'active') return jsonEqual(state.definition, definition) ? accept() : reject(jobAlreadyDefined(command.jobId, state.version))
  return accept({ type: 'JobDefined', data: { jobId: command.jobId, version: 1, ...definition } })
}

const revise = (command: ReviseJob, state: JobState): JobDecision => {
  const fault = checkJobId(command.jobId)()
  if (fault) return reject(fault)
  if (state.status === 'absent') return reject(jobNotFound(command.jobId))
  if (state.status === 'archived') return reject(jobAlreadyArchived(command.jobId))
  const definition = normalizeDefinition({
    name: command.name ?? state.definition.name,
    description: command.description === undefined ? state.definition.description : command.description,
    steps: command.steps,
    parameters: command.parameters,
    concurrency: command.concurrency ?? state.definition.concurrency
  })
  if ('_tag' in definition) return reject(definition)
  if (jsonEqual(state.definition, definition)) return accept()
  return accept({ type: 'JobRevised', data: { jobId: state.jobId, version: state.version + 1, ...definition } })
}

/** Archiving twice is a no-op: the job is archived either way. */
const archive = (command: ArchiveJob, state: JobState): JobDecision => {
  const fault = checkJobId(command.jobId)()
  if (fault) return reject(fault)
  if (state.status === 'absent') return reject(jobNotFound(command.jobId))
  if (state.status === 'archived') return accept()
  return accept({ type: 'JobArchived', data: { jobId: state.jobId, version: state.version } })
}

export const decide = (command: JobCommand, state: JobState): JobDecision => {
  switch (command.type) {
    case 'DefineJob':
      return define(command, state)
    case 'ReviseJob':
      return revise(command, state)
    case 'ArchiveJob':
      return archive(command, state)
    default:
      return absurd(command)
  }
}

export const jobDecider: Decider<JobCommand, JobEvent, JobState, JobRejection> = { initialState, evolve, decide, isTerminal }
