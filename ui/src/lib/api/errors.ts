/** A GraphQL error as the server sends it. */
export interface GraphQLErrorShape {
  readonly message: string
  readonly extensions?: Record<string, unknown>
  readonly path?: ReadonlyArray<string | number>
}

export type ErrorKind = 'network' | 'server' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'SERVICE_UNAVAILABLE' | 'OTHER'

const KNOWN: ReadonlySet<string> = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'SERVICE_UNAVAILABLE'])

/**
 * One failed call, in words a person understands (`message`), with what a form needs to point at
 * the culprit: the argument (`field`, e.g. `parameters.count`) and, for the filter language, the
 * offset (`position`).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: {
      readonly field?: string | undefined
      readonly position?: number | undefined
      readonly reason?: string | undefined
      readonly retryAfterSeconds?: number | undefined
    } = {}
  ) {
    super(message)
  }
  get field(): string | undefined {
    return this.details.field
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** The first GraphQL error of an answer as an ApiError with a readable message. */
export const fromGraphQLError = (error: GraphQLErrorShape): ApiError => {
  const ext = error.extensions ?? {}
  const code = str(ext.code) ?? ''
  const kind: ErrorKind = KNOWN.has(code) ? (code as ErrorKind) : 'OTHER'
  const details = { field: str(ext.field), position: num(ext.position), reason: str(ext.reason), retryAfterSeconds: num(ext.retryAfterSeconds) }
  return new ApiError(kind, readable(kind, error.message, details.reason, details.retryAfterSeconds), details)
}

const readable = (kind: ErrorKind, message: string, reason?: string, retryAfter?: number): string => {
  if (reason === 'RATE_LIMITED')
    return `Too many failed attempts. Wait ${retryAfter !== undefined ? waitText(retryAfter) : 'a moment'} before trying again.`
  if (message === 'Unexpected error.') return 'Something went wrong on the server. Try again; if it keeps happening, the server log has the details.'
  if (kind === 'SERVICE_UNAVAILABLE') return `The server is busy or restarting: ${message}`
  return capitalise(message)
}

export const waitText = (seconds: number): string => {
  const s = Math.max(1, Math.ceil(seconds))
  if (s < 90) return `${s} second${s === 1 ? '' : 's'}`
  const m = Math.ceil(s / 60)
  return `${m} minute${m === 1 ? '' : 's'}`
}

const capitalise = (text: string): string => (text ? text[0]!.toUpperCase() + text.slice(1) : text)

export const networkError = (cause: unknown): ApiError =>
  new ApiError('network', `Cannot reach the OpsConductor server (${cause instanceof Error ? cause.message : String(cause)}). Check the connection and try again.`)

export const httpError = (status: number, body: string): ApiError => {
  if (status === 413) return new ApiError('OTHER', 'The request is too large for the server.')
  if (status === 429) return new ApiError('OTHER', 'The server is receiving too many requests; try again in a moment.')
  if (status >= 500) return new ApiError('server', `The server answered with an error (HTTP ${status}). Try again shortly.`)
  return new ApiError('OTHER', `The server refused the request (HTTP ${status})${body ? `: ${body.slice(0, 200)}` : ''}.`)
}

/** Any thrown value as a sentence for an error banner. */
export const describeError = (error: unknown): string => {
  if (error instanceof ApiError) return error.message
  if (error instanceof Error) return `Something went wrong in the page: ${error.message}`
  return 'Something went wrong.'
}

/** Does the error point at this form field (`field` equal, or a path inside it such as `steps[0].command`)? */
export const isAbout = (error: unknown, field: string): boolean => {
  const target = error instanceof ApiError ? error.field : undefined
  if (!target) return false
  return target === field || target.startsWith(`${field}.`) || target.startsWith(`${field}[`)
}

/** The message to show under a form field, when the error is about it. */
export const fieldError = (error: unknown, field: string): string | null => (isAbout(error, field) ? describeError(error) : null)

/** The error for a banner: one that is not about any of the form's own fields. */
export const formError = (error: unknown, fields: ReadonlyArray<string>): unknown => (error && !fields.some((f) => isAbout(error, f)) ? error : null)
