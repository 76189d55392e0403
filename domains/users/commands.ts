export const ROLES = ['ADMIN', 'OPERATOR', 'VIEWER'] as const
export type Role = (typeof ROLES)[number]

/** `username` arrives lower-cased by the edge; `passwordHash` was computed there with argon2id. */
export interface RegisterUser {
  readonly type: 'RegisterUser'
  readonly userId: string
  readonly username: string
  readonly passwordHash: string
  readonly role: Role
  readonly at: string
}
export interface ChangeUserRole {
  readonly type: 'ChangeUserRole'
  readonly userId: string
  readonly role: Role
  readonly at: string
}
export interface ChangeUserPassword {
  readonly type: 'ChangeUserPassword'
  readonly userId: string
  readonly passwordHash: string
  readonly at: string
}
export interface DisableUser {
  readonly type: 'DisableUser'
  readonly userId: string
  readonly at: string
}
export interface EnableUser {
  readonly type: 'EnableUser'
  readonly userId: string
  readonly at: string
}

export type UserCommand = RegisterUser | ChangeUserRole | ChangeUserPassword | DisableUser | EnableUser
