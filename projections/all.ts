import { apiTokensProjection } from './read-models/api-tokens.ts'
import { credentialsProjection, shredCredentialKeys } from './read-models/credentials.ts'
import { executionsProjection } from './read-models/executions.ts'
import { targetRunsProjection } from './read-models/target-runs.ts'
import { jobsProjection, jobVersionsProjection } from './read-models/jobs.ts'
import { loginThrottleProjection } from './read-models/login-throttle.ts'
import { targetsProjection } from './read-models/targets.ts'
import { usersProjection } from './read-models/users.ts'
import type { DocumentProjection, Row } from './projection.ts'

/**
 * The runner treats every projection's rows as plain records; each projection keeps its own row
 * type for its `evolve`. (The cast is safe: rows only ever come from that projection's table.)
 */
const erase = <R extends Row>(projection: DocumentProjection<R>): DocumentProjection => projection as unknown as DocumentProjection

/** Every inline projection the sink maintains, in the order it applies them. */
export const inlineProjections: ReadonlyArray<DocumentProjection> = [
  erase(targetsProjection),
  erase(usersProjection),
  erase(credentialsProjection),
  erase(jobsProjection),
  erase(jobVersionsProjection),
  erase(apiTokensProjection),
  erase(loginThrottleProjection),
  erase(executionsProjection),
  erase(targetRunsProjection)
]

export const sinkSideEffects = [shredCredentialKeys]
