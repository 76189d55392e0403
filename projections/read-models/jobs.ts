import { absurd, type RecordedEvent } from '../../domains/shared/index.ts'
import { definitionOf, type JobConcurrency, type JobEvent } from '../../domains/jobs/index.ts'
import type { DocumentProjection } from '../projection.ts'

/** What a job row and a job as queries answer it have in common. */
export interface JobFields {
  id: string
  name: string
  description: string | null
  version: number
  steps: unknown
  parameters: unknown
  concurrency: JobConcurrency
  archived: boolean
}

export interface JobRow extends JobFields, Record<string, unknown> {
  created_at: string | Date
  updated_at: string | Date
  position: number
}

export interface JobVersionRow extends Record<string, unknown> {
  version_key: string
  job_id: string
  version: number
  name: string
  description: string | null
  steps: unknown
  parameters: unknown
  concurrency: JobConcurrency
  created_at: string | Date
  position: number
}

const jobEvent = (e: RecordedEvent) => ({ type: e.type, data: e.data }) as JobEvent

/** The current definition of each job: `job(id:)`, job lists. */
export const jobsProjection: DocumentProjection<JobRow> = {
  table: 'jobs',
  key: 'id',
  keyType: 'uuid',
  columns: ['id', 'name', 'description', 'version', 'steps', 'parameters', 'archived', 'created_at', 'updated_at', 'position', 'concurrency'],
  canHandle: new Set<JobEvent['type']>(['JobDefined', 'JobRevised', 'JobArchived']),
  keysOf: (e) => [(e.data as { jobId: string }).jobId],
  evolve: (row, recorded) => {
    const event = jobEvent(recorded)
    const at = recorded.meta.occurredAt
    switch (event.type) {
      case 'JobDefined':
      case 'JobRevised': {
        const d = event.data
        return {
          id: d.jobId, name: d.name, description: d.description, version: d.version, steps: d.steps, parameters: d.parameters,
          concurrency: definitionOf(d).concurrency, archived: false, created_at: row?.created_at ?? at, updated_at: at, position: recorded.position
        }
      }
      case 'JobArchived':
        return row && { ...row, archived: true, updated_at: at, position: recorded.position }
      default:
        return absurd(event)
    }
  }
}

/** Every version ever defined, so an execution shows exactly what it ran and versions can be diffed. */
export const jobVersionsProjection: DocumentProjection<JobVersionRow> = {
  table: 'job_versions',
  key: 'version_key',
  keyType: 'text',
  columns: ['version_key', 'job_id', 'version', 'name', 'description', 'steps', 'parameters', 'created_at', 'position', 'concurrency'],
  canHandle: new Set<JobEvent['type']>(['JobDefined', 'JobRevised']),
  keysOf: (e) => {
    const d = e.data as { jobId: string; version: number }
    return [`${d.jobId}/${d.version}`]
  },
  evolve: (_row, recorded, key) => {
    const event = jobEvent(recorded)
    if (event.type === 'JobArchived') return null
    const d = event.data
    return {
      version_key: key, job_id: d.jobId, version: d.version, name: d.name, description: d.description,
      steps: d.steps, parameters: d.parameters, concurrency: definitionOf(d).concurrency, created_at: recorded.meta.occurredAt, position: recorded.position
    }
  }
}
