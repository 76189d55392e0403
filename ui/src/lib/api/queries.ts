// Every operation the app sends. Selections match the interfaces in types.ts.
const USER = 'id username role'
const AUTH = `accessToken expiresAt user { ${USER} }`

export const LOGIN = `mutation Login($username: String!, $password: String!) { login(username: $username, password: $password) { ${AUTH} } }`
export const REFRESH = `mutation Refresh { refreshSession { ${AUTH} } }`
export const LOGOUT = 'mutation Logout { logout }'

export const USERS = `query Users($after: String) { users(first: 500, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${USER} disabled createdAt } } } }`
export const CREATE_USER = `mutation CreateUser($username: String!, $password: String!, $role: Role!) { createUser(username: $username, password: $password, role: $role) { ${USER} disabled createdAt } }`
export const CHANGE_ROLE = `mutation ChangeRole($id: ID!, $role: Role!) { changeUserRole(id: $id, role: $role) { ${USER} disabled } }`
export const DISABLE_USER = `mutation DisableUser($id: ID!) { disableUser(id: $id) { ${USER} disabled } }`
export const ENABLE_USER = `mutation EnableUser($id: ID!) { enableUser(id: $id) { ${USER} disabled } }`
export const RESET_PASSWORD = `mutation ResetPassword($id: ID!, $password: String!) { resetUserPassword(id: $id, password: $password) { id } }`

const TOKEN = 'id name role createdAt createdBy expiresAt revokedAt lastUsedAt'
export const API_TOKENS = `query ApiTokens($includeRevoked: Boolean, $after: String) {
  apiTokens(includeRevoked: $includeRevoked, first: 500, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${TOKEN} } } } }`
export const CREATE_API_TOKEN = `mutation CreateApiToken($name: String!, $role: Role!, $expiresAt: DateTime) { createApiToken(name: $name, role: $role, expiresAt: $expiresAt) { token id apiToken { ${TOKEN} } } }`
export const REVOKE_API_TOKEN = `mutation RevokeApiToken($id: ID!) { revokeApiToken(id: $id) { ${TOKEN} } }`

const CREDENTIAL = 'id name kind username createdAt rotatedAt'
export const CREDENTIALS = `query Credentials($after: String) { credentials(first: 500, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${CREDENTIAL} } } } }`
export const CREATE_CREDENTIAL = `mutation CreateCredential($name: String!, $kind: CredentialKind!, $username: String!, $password: String, $privateKey: String, $passphrase: String) {
  createCredential(name: $name, kind: $kind, username: $username, password: $password, privateKey: $privateKey, passphrase: $passphrase) { ${CREDENTIAL} } }`
export const ROTATE_CREDENTIAL = `mutation RotateCredential($id: ID!, $username: String, $password: String, $privateKey: String, $passphrase: String) {
  rotateCredential(id: $id, username: $username, password: $password, privateKey: $privateKey, passphrase: $passphrase) { ${CREDENTIAL} } }`
export const DELETE_CREDENTIAL = 'mutation DeleteCredential($id: ID!) { deleteCredential(id: $id) }'

const TARGET_ROW = 'id name address port connection tags credential { id name }'
const TARGET = `id name address port connection tags attributes hostKey createdAt updatedAt credential { ${CREDENTIAL} }`
/**
 * Page sizes are literals: the server's cost estimate assumes its largest page for a variable
 * `first`, and a 500-row page of targets is over its budget.
 */
export const TARGET_PAGES = { first: 100, next: 400, ahead: 100 } as const
export const targetsPage = (size: number): string => `query Targets($filter: String, $after: String) {
  targets(filter: $filter, first: ${Math.min(400, Math.max(1, Math.floor(size)))}, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${TARGET_ROW} } } } }`
export const TARGET_COUNT = 'query TargetCount($filter: String) { targets(filter: $filter, first: 5) { totalCount edges { node { id name } } } }'
export const TARGET_DETAIL = `query Target($id: ID!) { target(id: $id) { ${TARGET} } }`
export const REGISTER_TARGET = `mutation RegisterTarget($name: String!, $address: String!, $port: Int, $connection: ConnectionKind!, $credentialId: ID, $tags: [String!], $attributes: JSON) {
  registerTarget(name: $name, address: $address, port: $port, connection: $connection, credentialId: $credentialId, tags: $tags, attributes: $attributes) { ${TARGET} } }`
export const UPDATE_TARGET = `mutation UpdateTarget($id: ID!, $name: String, $address: String, $port: Int, $connection: ConnectionKind, $attributes: JSON) {
  updateTarget(id: $id, name: $name, address: $address, port: $port, connection: $connection, attributes: $attributes) { ${TARGET} } }`
export const TAG_TARGET = `mutation TagTarget($id: ID!, $tags: [String!]!) { tagTarget(id: $id, tags: $tags) { ${TARGET} } }`
export const UNTAG_TARGET = `mutation UntagTarget($id: ID!, $tags: [String!]!) { untagTarget(id: $id, tags: $tags) { ${TARGET} } }`
export const ASSIGN_CREDENTIAL = `mutation AssignCredential($id: ID!, $credentialId: ID) { assignCredential(id: $id, credentialId: $credentialId) { ${TARGET} } }`
export const REMOVE_TARGET = 'mutation RemoveTarget($id: ID!) { removeTarget(id: $id) }'

const STEP = 'name kind command script interpreter path content mode timeoutSeconds'
const PARAMETER = 'name type required default pattern choices'
const JOB_FIELDS = `id name description version archived createdAt updatedAt steps { ${STEP} } parameters { ${PARAMETER} }`
export const JOBS = `query Jobs($name: String, $includeArchived: Boolean, $after: String) {
  jobs(name: $name, includeArchived: $includeArchived, first: 200, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name description version archived updatedAt } } } }`
export const JOB = `query Job($id: ID!, $version: Int) { job(id: $id, version: $version) { ${JOB_FIELDS} } }`
export const DEFINE_JOB = `mutation DefineJob($name: String!, $description: String, $steps: [JSON!]!, $parameters: [JSON!]) {
  defineJob(name: $name, description: $description, steps: $steps, parameters: $parameters) { ${JOB_FIELDS} } }`
export const REVISE_JOB = `mutation ReviseJob($id: ID!, $name: String, $description: String, $steps: [JSON!]!, $parameters: [JSON!]) {
  reviseJob(id: $id, name: $name, description: $description, steps: $steps, parameters: $parameters) { ${JOB_FIELDS} } }`
export const ARCHIVE_JOB = `mutation ArchiveJob($id: ID!) { archiveJob(id: $id) { ${JOB_FIELDS} } }`

const SUMMARY = 'summary { total succeeded failed cancelled skipped running pending }'
const EXECUTION_ROW = `id jobName jobVersion status ${SUMMARY} requestedBy createdAt startedAt finishedAt`
const TARGET_RUN = 'targetId targetName status attempt exitCode reason startedAt finishedAt outputBytes'
/** Enough for the status grid; bigger executions page the grid (see ExecutionState). */
export const GRID_PAGE = 2000
const EXECUTION = `${EXECUTION_ROW} options cancelRequested reason job { id steps { name kind } } targets(first: ${GRID_PAGE}) { ${TARGET_RUN} }`
export const EXECUTIONS = `query Executions($jobId: ID, $status: ExecutionStatus, $after: String) {
  executions(jobId: $jobId, status: $status, first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${EXECUTION_ROW} } } } }`
export const EXECUTION_DETAIL = `query Execution($id: ID!) { execution(id: $id) { ${EXECUTION} } }`
export const EXECUTION_UPDATED = `subscription ExecutionUpdated($id: ID!) { executionUpdated(id: $id) { ${EXECUTION} } }`
export const RUN_JOB = `mutation RunJob($jobId: ID!, $targetIds: [ID!], $targetFilter: String, $parameters: JSON, $parallelism: Int, $batchSize: Int, $batchPercent: Int,
  $failurePolicy: FailurePolicy, $maxFailedPercent: Int, $retries: Int, $retryBackoffSeconds: Int, $stepTimeoutSeconds: Int, $commandId: ID) {
  runJob(jobId: $jobId, targetIds: $targetIds, targetFilter: $targetFilter, parameters: $parameters, parallelism: $parallelism, batchSize: $batchSize, batchPercent: $batchPercent,
    failurePolicy: $failurePolicy, maxFailedPercent: $maxFailedPercent, retries: $retries, retryBackoffSeconds: $retryBackoffSeconds, stepTimeoutSeconds: $stepTimeoutSeconds, commandId: $commandId) { id } }`
export const CANCEL_EXECUTION = 'mutation CancelExecution($id: ID!) { cancelExecution(id: $id) { id status cancelRequested } }'
export const RERUN_EXECUTION = 'mutation RerunExecution($id: ID!, $onlyFailed: Boolean) { rerunExecution(id: $id, onlyFailed: $onlyFailed) { id } }'

const CHUNK = 'attempt seq stepIndex stream text'
export const EXECUTION_OUTPUT = `query ExecutionOutput($executionId: ID!, $targetId: ID!, $attempt: Int, $afterSeq: Int, $maxBytes: Int) {
  executionOutput(executionId: $executionId, targetId: $targetId, attempt: $attempt, afterSeq: $afterSeq, maxBytes: $maxBytes) { ${CHUNK} } }`
export const EXECUTION_OUTPUT_LIVE = `subscription ExecutionOutputLive($executionId: ID!, $targetId: ID!, $after: Int) {
  executionOutput(executionId: $executionId, targetId: $targetId, after: $after) { ${CHUNK} } }`

const AUDIT = 'position index id type stream occurredAt actor origin { ip userAgent } data'
export const AUDIT_PAGE = 100
export const AUDIT_LOG = `query AuditLog($type: String, $actorId: ID, $stream: String, $from: DateTime, $to: DateTime, $after: String) {
  auditLog(type: $type, actorId: $actorId, stream: $stream, from: $from, to: $to, after: $after, first: ${AUDIT_PAGE}) { pageInfo { hasNextPage endCursor } edges { node { ${AUDIT} } } } }`
export const EVENTS_LIVE = `subscription Events($types: [String!]) { events(types: $types) { ${AUDIT} } }`

/** The latest executions that ran on one target, each with that target's run. */
export const TARGET_RECENT_RUNS = `query TargetRecentRuns($targetId: ID!) { executions(targetId: $targetId, first: 25) {
  edges { node { id jobName jobVersion status createdAt targets(targetId: $targetId, first: 1) { targetId status exitCode startedAt finishedAt } } } } }`

export const DASHBOARD = `query Dashboard {
  running: executions(status: RUNNING, first: 20) { totalCount edges { node { ${EXECUTION_ROW} } } }
  queued: executions(status: QUEUED, first: 20) { totalCount edges { node { ${EXECUTION_ROW} } } }
  recent: executions(first: 50) { totalCount edges { node { ${EXECUTION_ROW} } } }
  failed: executions(status: FAILED, first: 20) { edges { node { id createdAt targets(status: FAILED, first: 50) { targetId targetName finishedAt } } } }
}`
