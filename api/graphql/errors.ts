import { GraphQLError } from 'graphql'
import type { CommandError } from '../../commands/handler.ts'
import { TargetFilterError } from '../../projections/target-filter-sql.ts'
import { PageInputError } from '../../projections/queries/paging.ts'

/** The codes of the public contract, plus SERVICE_UNAVAILABLE for a store that does not answer. */
export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'SERVICE_UNAVAILABLE'

export const apiError = (code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError =>
  new GraphQLError(message, { extensions: { code, ...extensions } })

/** `field: reason`, with the field also in extensions so clients can highlight it. */
export const badInput = (field: string, reason: string, extensions: Record<string, unknown> = {}): GraphQLError =>
  apiError('BAD_USER_INPUT', `${field}: ${reason}`, { field, ...extensions })

export const notFound = (what: string, id: string): GraphQLError => apiError('NOT_FOUND', `${what} ${id} does not exist`)

const CATEGORY_CODES = { invalid: 'BAD_USER_INPUT', missing: 'NOT_FOUND', conflict: 'CONFLICT' } as const

/** A failed command as the caller sees it. Messages of StoreUnavailable stay in the log, not the answer. */
export const fromCommandError = (error: CommandError): GraphQLError => {
  switch (error._tag) {
    case 'Rejected': {
      const { rejection } = error
      return apiError(CATEGORY_CODES[rejection.category], rejection.message, {
        reason: rejection._tag,
        ...(rejection.field ? { field: rejection.field } : {})
      })
    }
    case 'ConcurrencyConflict':
      return apiError('CONFLICT', 'the object was changed concurrently several times in a row; try again', { reason: 'ConcurrencyConflict' })
    case 'StoreUnavailable':
      return apiError('SERVICE_UNAVAILABLE', 'the event store is not available right now; try again shortly')
    default:
      return error satisfies never
  }
}

/** Bad query input detected by the projections (a malformed filter, a foreign cursor). */
export const fromQueryError = (error: unknown): unknown => {
  if (error instanceof TargetFilterError) {
    const message = error.message.startsWith(`${error.field}:`) ? error.message : `${error.field}: ${error.message}`
    return apiError('BAD_USER_INPUT', message, { field: error.field, ...(error.position !== null ? { position: error.position } : {}) })
  }
  if (error instanceof PageInputError) return apiError('BAD_USER_INPUT', error.message, { field: error.field })
  return error
}

/** Runs a projection query, turning its input errors into BAD_USER_INPUT (anything else stays masked). */
export const readModel = async <A>(query: () => Promise<A>): Promise<A> => {
  try {
    return await query()
  } catch (error) {
    throw fromQueryError(error)
  }
}

/** An input error about `from`, as the caller named it: `to` (the domain's name differs). */
export const renamingField = (from: string, to: string) => (error: unknown): never => {
  if (error instanceof GraphQLError && error.extensions.field === from)
    throw new GraphQLError(error.message.startsWith(`${from}:`) ? `${to}:${error.message.slice(from.length + 1)}` : error.message, {
      extensions: { ...error.extensions, field: to }
    })
  throw error
}
