import { apiTokensProjection } from './read-models/api-tokens.ts'
import { credentialsProjection, shredCredentialKeys } from './read-models/credentials.ts'
import { executionsProjection } from './read-models/executions.ts'
import { targetRunsProjection } from './read-models/target-runs.ts'
import { jobsProjection, jobVersionsProjection } from './read-models/jobs.ts'
import { loginThrottleProjection } from './read-models/login-throttle.ts'
import { targetsProjection } from './read-models/targets.ts'
import { usersProjection } from './read-models/users.ts'
import type { DocumentProjection } from './projection.ts'

/** Every inline projection the sink maintains, in the order it applies them. */
export const inlineProjections: ReadonlyArray<DocumentProjection> = [
  targetsProjection as unknown as DocumentProjection,
  usersProjection as unknown as DocumentProjection,
  credentialsProjection as unknown as DocumentProjection,
  jobsProjection as unknown as DocumentProjection,
  jobVersionsProjection as unknown as DocumentProjection,
  apiTokensProjection as unknown as DocumentProjection,
  loginThrottleProjection as unknown as DocumentProjection,
  executionsProjection as unknown as DocumentProjection,
  targetRunsProjection as unknown as DocumentProjection
]

export const sinkSideEffects = [shredCredentialKeys]
