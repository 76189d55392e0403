import { Context, Effect, Layer } from 'effect'
import type { Pool } from '../projections/db.ts'
import { resolveExecutionTargets, type ResolvedTarget } from '../projections/queries/execution-targets.ts'
import { TargetFilterError } from '../projections/target-filter-sql.ts'
import { invalidInput } from '../domains/shared/index.ts'
import { Rejected, StoreUnavailable } from './errors.ts'

/**
 * Target selection for runs and schedules, read from the targets projection: an execution may
 * span thousands of targets, too many to load aggregate by aggregate.
 */
export class Inventory extends Context.Service<
  Inventory,
  {
    readonly resolve: (
      selection: { readonly targetIds?: ReadonlyArray<string> | null; readonly targetFilter?: string | null },
      limit: number
    ) => Effect.Effect<ReadonlyArray<ResolvedTarget>, Rejected | StoreUnavailable>
  }
>()('opsconductor/Inventory') {}

export const InventoryLive = (pool: Pool) =>
  Layer.succeed(Inventory, {
    resolve: (selection, limit) =>
      Effect.tryPromise({
        try: () => resolveExecutionTargets(pool, selection, limit),
        catch: (error) =>
          error instanceof TargetFilterError
            ? new Rejected({ rejection: invalidInput('targetFilter', error.message.replace(/^filter: /, '')) })
            : new StoreUnavailable({ reason: 'could not read the targets' })
      }).pipe(
        Effect.flatMap(({ targets, missing, overLimit }) => {
          if (missing.length > 0) return Effect.fail(new Rejected({ rejection: { ...invalidInput('targetIds', `no target with id ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`) } }))
          if (overLimit) return Effect.fail(new Rejected({ rejection: invalidInput('targetFilter', `selects more than ${limit} targets; split the run`) }))
          if (targets.length === 0) return Effect.fail(new Rejected({ rejection: invalidInput(selection.targetFilter != null ? 'targetFilter' : 'targetIds', 'selects no target') }))
          return Effect.succeed(targets)
        })
      )
  })
