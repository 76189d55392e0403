import type { ExecutionStatus, TargetRunStatus } from '../api/types.ts'

export type Tone = 'ok' | 'bad' | 'warn' | 'info' | 'muted'

export interface StatusLook {
  readonly label: string
  readonly tone: Tone
  /** Still changing: the pill pulses. */
  readonly active: boolean
}

const LOOKS: Record<ExecutionStatus | TargetRunStatus, StatusLook> = {
  QUEUED: { label: 'Queued', tone: 'muted', active: true },
  PENDING: { label: 'Pending', tone: 'muted', active: false },
  RUNNING: { label: 'Running', tone: 'info', active: true },
  SUCCEEDED: { label: 'Succeeded', tone: 'ok', active: false },
  FAILED: { label: 'Failed', tone: 'bad', active: false },
  CANCELLED: { label: 'Cancelled', tone: 'warn', active: false },
  SKIPPED: { label: 'Skipped', tone: 'muted', active: false }
}

export const statusLook = (status: ExecutionStatus | TargetRunStatus): StatusLook => LOOKS[status] ?? { label: status, tone: 'muted', active: false }

export const isFinished = (status: ExecutionStatus | TargetRunStatus): boolean =>
  status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELLED' || status === 'SKIPPED'
