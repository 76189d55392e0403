import type { DomainEvent } from '../shared/index.ts'
import type { JobConcurrency, JobDefinition } from './definition.ts'

/**
 * `concurrency` is missing from events written before it existed; read them through
 * `definitionOf`, which upgrades them to the default. New events always carry it.
 */
type Versioned = { jobId: string; version: number } & Omit<JobDefinition, 'concurrency'> & { concurrency?: JobConcurrency }

/** Every definition event carries the full canonical definition, so a version reads on its own. */
export type JobDefined = DomainEvent<'JobDefined', Versioned>
export type JobRevised = DomainEvent<'JobRevised', Versioned>
/** Archived jobs keep their history but take no revisions. */
export type JobArchived = DomainEvent<'JobArchived', { jobId: string; version: number }>

export type JobEvent = JobDefined | JobRevised | JobArchived
