import type { DomainEvent } from '../../shared/index.ts'
import type { LoginFailureReason, SessionRevocationReason } from './commands.ts'

/** Where the attempt came from (address, user agent) is in the envelope's actor. */
export type LoginFailed = DomainEvent<'LoginFailed', { username: string; userId: string | null; reason: LoginFailureReason }>
export type LoginSucceeded = DomainEvent<'LoginSucceeded', { username: string; userId: string }>
export type SessionsRevoked = DomainEvent<
  'SessionsRevoked',
  { username: string; userId: string; scope: 'session' | 'all'; reason: SessionRevocationReason }
>

export type LoginEvent = LoginFailed | LoginSucceeded | SessionsRevoked
