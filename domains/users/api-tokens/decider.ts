import { absurd, accept, firstInvalid, invalidInput, reject, text, uuid, type Check, type Decider, type Decision } from '../../shared/index.ts'
import type { Role } from '../commands.ts'
import { checkRole } from '../validate.ts'
import type { ApiTokenCommand, CreateApiToken, RevokeApiToken } from './commands.ts'
import { apiTokenAlreadyCreated, apiTokenNotFound, type ApiTokenRejection } from './errors.ts'
import type { ApiTokenEvent } from './events.ts'

export type ApiTokenState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'active' | 'revoked'
      readonly tokenId: string
      readonly name: string
      readonly role: Role
      readonly tokenHash: string
      readonly expiresAt: string | null
    }

export const initialState: ApiTokenState = { status: 'absent' }

export const evolve = (state: ApiTokenState, event: ApiTokenEvent): ApiTokenState => {
  switch (event.type) {
    case 'ApiTokenCreated':
      return { status: 'active', ...event.data }
    case 'ApiTokenRevoked':
      return state.status === 'absent' ? state : { ...state, status: 'revoked' }
    default:
      return absurd(event)
  }
}

/** A revoked token never works again. */
export const isTerminal = (state: ApiTokenState): boolean => state.status === 'revoked'

const SHA256_HEX = /^[0-9a-f]{64}$/
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
// Longest lifetime a token may be given: long-lived secrets should be rotated.
const MAX_LIFETIME_MS = 5 * 366 * 86_400_000

/** Field `token`: never echoes the value, only its expected shape. */
const checkTokenHash =
  (value: unknown): Check =>
  () =>
    typeof value === 'string' && SHA256_HEX.test(value) ? undefined : invalidInput('token', 'must be stored as a SHA-256 hash, never in plain text')

const checkExpiry =
  (expiresAt: unknown, at: string): Check =>
  () => {
    if (expiresAt === undefined || expiresAt === null) return undefined
    // Canonical UTC form only (what the edge's DateTime scalar produces), so equal times compare equal.
    const when = typeof expiresAt === 'string' && ISO_UTC.test(expiresAt) ? Date.parse(expiresAt) : Number.NaN
    if (Number.isNaN(when)) return invalidInput('expiresAt', 'must be an ISO 8601 date-time in UTC, e.g. 2030-01-01T00:00:00.000Z')
    const now = Date.parse(at)
    if (when <= now) return invalidInput('expiresAt', 'must be in the future')
    if (when - now > MAX_LIFETIME_MS) return invalidInput('expiresAt', 'must be at most 5 years ahead')
    return undefined
  }

type ApiTokenDecision = Decision<ApiTokenEvent, ApiTokenRejection>

const create = (command: CreateApiToken, state: ApiTokenState): ApiTokenDecision => {
  const fault = firstInvalid(
    uuid('id', command.tokenId),
    text('name', command.name, { max: 128 }),
    checkRole(command.role),
    checkTokenHash(command.tokenHash),
    checkExpiry(command.expiresAt, command.at)
  )
  if (fault) return reject(fault)
  const { tokenId, name, role, tokenHash } = command
  const expiresAt = command.expiresAt ?? null
  if (state.status !== 'absent') {
    const same = state.name === name && state.role === role && state.tokenHash === tokenHash && state.expiresAt === expiresAt
    return same ? accept() : reject(apiTokenAlreadyCreated(tokenId))
  }
  return accept({ type: 'ApiTokenCreated', data: { tokenId, name, role, tokenHash, expiresAt } })
}

/** Revoking twice is a no-op: the token is dead either way. */
const revoke = (command: RevokeApiToken, state: ApiTokenState): ApiTokenDecision => {
  const fault = uuid('id', command.tokenId)()
  if (fault) return reject(fault)
  if (state.status === 'absent') return reject(apiTokenNotFound(command.tokenId))
  if (state.status === 'revoked') return accept()
  return accept({ type: 'ApiTokenRevoked', data: { tokenId: state.tokenId } })
}

export const decide = (command: ApiTokenCommand, state: ApiTokenState): ApiTokenDecision => {
  switch (command.type) {
    case 'CreateApiToken':
      return create(command, state)
    case 'RevokeApiToken':
      return revoke(command, state)
    default:
      return absurd(command)
  }
}

export const apiTokenDecider: Decider<ApiTokenCommand, ApiTokenEvent, ApiTokenState, ApiTokenRejection> = { initialState, evolve, decide, isTerminal }
