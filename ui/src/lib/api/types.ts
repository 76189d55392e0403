// Shapes of the answers this app asks for (the selections in queries.ts), not the whole schema.
export type Role = 'ADMIN' | 'OPERATOR' | 'VIEWER'
export type CredentialKind = 'SSH_PASSWORD' | 'SSH_KEY' | 'WINRM_PASSWORD'
export type ConnectionKind = 'SSH' | 'WINRM' | 'LOCAL'
export type StepKind = 'COMMAND' | 'SCRIPT' | 'UPLOAD'
export type ParameterType = 'STRING' | 'INT' | 'BOOL' | 'ENUM' | 'SECRET'
export type ExecutionStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED'
export type TargetRunStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'SKIPPED'
export type FailurePolicy = 'CONTINUE' | 'STOP'
export type OutputStream = 'STDOUT' | 'STDERR'

export interface PageInfo {
  readonly hasNextPage: boolean
  readonly endCursor: string | null
}
export interface Connection<N> {
  readonly edges: ReadonlyArray<{ readonly node: N }>
  readonly pageInfo: PageInfo
  readonly totalCount: number
}

export interface User {
  readonly id: string
  readonly username: string
  readonly role: Role
  readonly disabled?: boolean
  readonly createdAt?: string | null
}
export interface AuthPayload {
  readonly accessToken: string
  readonly expiresAt: string
  readonly user: User
}
export interface ApiToken {
  readonly id: string
  readonly name: string
  readonly role: Role
  readonly createdAt: string
  readonly createdBy: string | null
  readonly expiresAt: string | null
  readonly revokedAt: string | null
  readonly lastUsedAt: string | null
}
export interface Credential {
  readonly id: string
  readonly name: string
  readonly kind: CredentialKind
  readonly username: string
  readonly createdAt?: string
  readonly rotatedAt?: string | null
}
export interface TargetRow {
  readonly id: string
  readonly name: string
  readonly address: string
  readonly port: number | null
  readonly connection: ConnectionKind
  readonly tags: ReadonlyArray<string>
  readonly credential: { readonly id: string; readonly name: string } | null
}
export interface Target extends TargetRow {
  readonly attributes: Record<string, string>
  readonly hostKey: string | null
  readonly createdAt: string
  readonly updatedAt: string
  readonly credential: Credential | null
}
export interface JobStep {
  readonly name: string | null
  readonly kind: StepKind
  readonly command: string | null
  readonly script: string | null
  readonly interpreter: string | null
  readonly path: string | null
  readonly content: string | null
  readonly mode: string | null
  readonly timeoutSeconds: number | null
}
export interface JobParameter {
  readonly name: string
  readonly type: ParameterType
  readonly required: boolean
  readonly default: unknown
  readonly pattern: string | null
  readonly choices: ReadonlyArray<string> | null
}
export interface Job {
  readonly id: string
  readonly name: string
  readonly description: string | null
  readonly version: number
  readonly steps: ReadonlyArray<JobStep>
  readonly parameters: ReadonlyArray<JobParameter>
  readonly archived: boolean
  readonly createdAt: string
  readonly updatedAt: string
}
export interface JobSummary {
  readonly id: string
  readonly name: string
  readonly description: string | null
  readonly version: number
  readonly archived: boolean
  readonly updatedAt: string
}
export interface ExecutionSummary {
  readonly total: number
  readonly succeeded: number
  readonly failed: number
  readonly cancelled: number
  readonly skipped: number
  readonly running: number
  readonly pending: number
}
export interface TargetRun {
  readonly targetId: string
  readonly targetName: string
  readonly status: TargetRunStatus
  readonly attempt: number
  readonly exitCode: number | null
  readonly reason: string | null
  readonly startedAt: string | null
  readonly finishedAt: string | null
  readonly outputBytes: number
}
export interface ExecutionRow {
  readonly id: string
  readonly jobName: string
  readonly jobVersion: number
  readonly status: ExecutionStatus
  readonly summary: ExecutionSummary
  readonly requestedBy: { readonly kind?: string; readonly id?: string; readonly name?: string } | null
  readonly createdAt: string
  readonly startedAt: string | null
  readonly finishedAt: string | null
}
export interface Execution extends ExecutionRow {
  readonly job: { readonly id: string; readonly steps: ReadonlyArray<Pick<JobStep, 'name' | 'kind'>> }
  readonly options: Record<string, unknown>
  readonly cancelRequested: boolean
  readonly reason: string | null
  readonly targets: ReadonlyArray<TargetRun>
}
export interface OutputChunk {
  readonly attempt: number
  readonly seq: number
  readonly stepIndex: number
  readonly stream: OutputStream
  readonly text: string
}
export interface AuditEntry {
  readonly position: number
  readonly index: number
  readonly id: string
  readonly type: string
  readonly stream: string
  readonly occurredAt: string
  readonly actor: { readonly kind?: string; readonly id?: string; readonly name?: string } | null
  readonly origin: { readonly ip: string | null; readonly userAgent: string | null } | null
  readonly data: unknown
}
