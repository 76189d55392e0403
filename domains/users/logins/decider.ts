import { absurd, accept, firstInvalid, oneOf, optional, reject, text, uuid, type Decider, type Decision } from '../../shared/index.ts'
import { checkUsername } from '../validate.ts'
import { LOGIN_FAILURE_REASONS, SESSION_REVOCATION_REASONS, type LoginCommand } from './commands.ts'
import { loginKeyMismatch, type LoginRejection } from './errors.ts'
import type { LoginEvent } from './events.ts'

/** Only the username is kept: throttling reads the projection, which every replica shares. */
export type LoginState = { readonly status: 'absent' } | { readonly status: 'seen'; readonly username: string }

export const initialState: LoginState = { status: 'absent' }

export const evolve = (state: LoginState, event: LoginEvent): LoginState => {
  switch (event.type) {
    case 'LoginFailed':
    case 'LoginSucceeded':
    case 'SessionsRevoked':
      return state.status === 'seen' ? state : { status: 'seen', username: event.data.username }
    default:
      return absurd(event)
  }
}

type LoginDecision = Decision<LoginEvent, LoginRejection>

const LOGIN_ID = /^[0-9a-f]{40}$/

/** Checks shared by every command: a well-formed id and username, and the stream's own username. */
const common = (command: LoginCommand, state: LoginState): LoginRejection | undefined =>
  firstInvalid(
    text('loginId', command.loginId, { max: 40, pattern: LOGIN_ID, patternHint: 'must be the digest of the username' }),
    checkUsername(command.username)
  ) ?? (state.status === 'seen' && state.username !== command.username ? loginKeyMismatch(command.loginId) : undefined)

/** Every attempt is a new fact: nothing here is idempotent by content (retries dedupe by command id). */
export const decide = (command: LoginCommand, state: LoginState): LoginDecision => {
  const fault = common(command, state)
  if (fault) return reject(fault)
  switch (command.type) {
    case 'RecordLoginFailure': {
      const invalid = firstInvalid(optional(command.userId, uuid('userId', command.userId)), oneOf('reason', command.reason, LOGIN_FAILURE_REASONS))
      if (invalid) return reject(invalid)
      return accept({ type: 'LoginFailed', data: { username: command.username, userId: command.userId, reason: command.reason } })
    }
    case 'RecordLoginSuccess': {
      const invalid = uuid('userId', command.userId)()
      if (invalid) return reject(invalid)
      return accept({ type: 'LoginSucceeded', data: { username: command.username, userId: command.userId } })
    }
    case 'RecordSessionsRevoked': {
      const invalid = firstInvalid(
        uuid('userId', command.userId),
        oneOf('scope', command.scope, ['session', 'all'] as const),
        oneOf('reason', command.reason, SESSION_REVOCATION_REASONS)
      )
      if (invalid) return reject(invalid)
      const { username, userId, scope, reason } = command
      return accept({ type: 'SessionsRevoked', data: { username, userId, scope, reason } })
    }
    default:
      return absurd(command)
  }
}

export const loginDecider: Decider<LoginCommand, LoginEvent, LoginState, LoginRejection> = { initialState, evolve, decide }
