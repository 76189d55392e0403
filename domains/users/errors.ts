import type { InvalidInput, Rejection } from '../shared/index.ts'

export interface UserNotFound extends Rejection<'UserNotFound'> {}
export const userNotFound = (userId: string): UserNotFound => ({
  _tag: 'UserNotFound',
  category: 'missing',
  message: `user ${userId} does not exist`
})

/** The id is taken by a user registered with other data (a retry with the same data is a no-op). */
export interface UserAlreadyRegistered extends Rejection<'UserAlreadyRegistered'> {}
export const userAlreadyRegistered = (userId: string, username: string): UserAlreadyRegistered => ({
  _tag: 'UserAlreadyRegistered',
  category: 'conflict',
  message: `user ${userId} is already registered as ${JSON.stringify(username)} with other data`
})

export type UserRejection = InvalidInput | UserNotFound | UserAlreadyRegistered
