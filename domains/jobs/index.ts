import type { JobCommand } from './commands.ts'
import { jobDecider } from './decider.ts'

export * from './commands.ts'
export * from './definition.ts'
export * from './events.ts'
export * from './errors.ts'
export { jobDecider, type JobState } from './decider.ts'
export { definitionOf, normalizeConcurrency, normalizeDefinition } from './normalize.ts'
export { validateRunParameters, type RunParameters, type RunParametersFault } from './parameters.ts'
export { parameterReferences, substituteParameters } from './templates.ts'

/** Jobs live on `ops.evt.job.<jobId>`; each definition event carries a full, numbered version. */
export const jobs = {
  kind: 'job',
  streamId: (c: JobCommand) => c.jobId,
  decider: jobDecider,
  startsStream: (c: JobCommand) => c.type === 'DefineJob'
} as const
