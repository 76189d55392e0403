import type { GraphQLResolveInfo } from 'graphql'
import type { CommandResult } from '../../commands/handler.ts'
import { isUuid } from '../../domains/shared/index.ts'
import type { Page } from '../../projections/queries/paging.ts'
import { badInput, notFound } from './errors.ts'

/** Small helpers that keep resolvers to decode → command → read back. */

export interface CommandArgs {
  readonly commandId?: string | null
}

/** Options for `runCommand`: the client's command id and the mutation's response key. */
export const commandOptions = (args: CommandArgs, info: GraphQLResolveInfo) => ({ commandId: args.commandId, field: String(info.path.key) })

/** IDs are UUIDs; anything else is refused before it can reach a subject name or a query. */
export const uuidArg = (value: unknown, field: string): string => {
  if (!isUuid(value)) throw badInput(field, `must be a UUID (got ${JSON.stringify(String(value).slice(0, 60))})`)
  return value.toLowerCase()
}

export const optionalUuidArg = (value: unknown, field: string): string | null => (value === undefined || value === null ? null : uuidArg(value, field))

export const DEFAULT_PAGE = 50

export const connection = <R>(page: Page<R>) => ({
  edges: page.rows.map((node) => ({ node })),
  pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
  totalCount: page.totalCount
})

/**
 * The object a mutation returns, read from its projection: the command handler already waited
 * for the sink, so the row reflects the change. If that wait ran out (the answer carries a
 * NOT_YET_DURABLE warning), the aggregate's own state stands in for a row not written yet.
 */
export const readBack = async <R>(
  result: CommandResult<unknown>,
  load: () => Promise<R | null | undefined>,
  fromState: () => R | null,
  what: string,
  id: string
): Promise<R> => {
  const row = await load()
  if (row) return row
  const standIn = result.durable ? null : fromState()
  if (standIn) return standIn
  throw notFound(what, id)
}

export const first = <A>(rows: ReadonlyArray<A>): A | null => rows[0] ?? null
