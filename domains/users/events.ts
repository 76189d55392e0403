import type { DomainEvent } from '../shared/index.ts'
import type { Role } from './commands.ts'

/** `passwordHash` is an argon2id PHC string, never a password; it is what `login` verifies. */
export type UserRegistered = DomainEvent<'UserRegistered', { userId: string; username: string; passwordHash: string; role: Role }>
export type UserRoleChanged = DomainEvent<'UserRoleChanged', { userId: string; role: Role; previousRole: Role }>
export type UserPasswordChanged = DomainEvent<'UserPasswordChanged', { userId: string; passwordHash: string }>
export type UserDisabled = DomainEvent<'UserDisabled', { userId: string }>
export type UserEnabled = DomainEvent<'UserEnabled', { userId: string }>

export type UserEvent = UserRegistered | UserRoleChanged | UserPasswordChanged | UserDisabled | UserEnabled
