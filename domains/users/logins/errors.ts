import type { InvalidInput, Rejection } from '../../shared/index.ts'

/** The stream holds another username than the command names: the caller computed the id wrongly. */
export interface LoginKeyMismatch extends Rejection<'LoginKeyMismatch'> {}
export const loginKeyMismatch = (loginId: string): LoginKeyMismatch => ({
  _tag: 'LoginKeyMismatch',
  category: 'conflict',
  message: `login history ${loginId} belongs to another username`
})

export type LoginRejection = InvalidInput | LoginKeyMismatch
