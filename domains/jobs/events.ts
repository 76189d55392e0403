import type { DomainEvent } from '../shared/index.ts'
import type { JobDefinition } from './definition.ts'

type Versioned = { jobId: string; version: number } & JobDefinition

/** Every definition event carries the full canonical definition, so a version reads on its own. */
export type JobDefined = DomainEvent<'JobDefined', Versioned>
export type JobRevised = DomainEvent<'JobRevised', Versioned>
/** Archived jobs keep their history but take no revisions. */
export type JobArchived = DomainEvent<'JobArchived', { jobId: string; version: number }>

export type JobEvent = JobDefined | JobRevised | JobArchived
