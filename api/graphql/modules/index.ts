import type { ApiModule } from '../module.ts'
import { auditModule } from './audit.ts'
import { authModule } from './auth.ts'
import { baseModule } from './base.ts'
import { credentialsModule } from './credentials.ts'
import { eventsModule } from './events.ts'
import { executionsModule } from './executions.ts'
import { jobsModule } from './jobs.ts'
import { targetsModule } from './targets.ts'
import { tokensModule } from './tokens.ts'
import { usersModule } from './users.ts'

/**
 * Every slice of the schema, merged in this order by `schema.ts`. Modules may use
 * `@auth(requires: …)`, the scalars JSON and DateTime, `Role` and `PageInfo` from the base
 * module; Query/Mutation/Subscription fields without `@auth` default to VIEWER / OPERATOR / VIEWER.
 */
export const apiModules: ReadonlyArray<ApiModule> = [
  baseModule,
  authModule,
  usersModule,
  tokensModule,
  credentialsModule,
  targetsModule,
  jobsModule,
  executionsModule,
  auditModule,
  eventsModule
]
