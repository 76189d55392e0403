import type { InvalidInput, Rejection } from '../shared/index.ts'

export interface CredentialNotFound extends Rejection<'CredentialNotFound'> {}
export const credentialNotFound = (credentialId: string): CredentialNotFound => ({
  _tag: 'CredentialNotFound',
  category: 'missing',
  message: `credential ${credentialId} does not exist`
})

export interface CredentialAlreadyCreated extends Rejection<'CredentialAlreadyCreated'> {}
export const credentialAlreadyCreated = (credentialId: string): CredentialAlreadyCreated => ({
  _tag: 'CredentialAlreadyCreated',
  category: 'conflict',
  message: `credential ${credentialId} already exists with other data`
})

export interface CredentialAlreadyDeleted extends Rejection<'CredentialAlreadyDeleted'> {}
export const credentialAlreadyDeleted = (credentialId: string): CredentialAlreadyDeleted => ({
  _tag: 'CredentialAlreadyDeleted',
  category: 'conflict',
  message: `credential ${credentialId} was deleted; its secret is destroyed`
})

export type CredentialRejection = InvalidInput | CredentialNotFound | CredentialAlreadyCreated | CredentialAlreadyDeleted
