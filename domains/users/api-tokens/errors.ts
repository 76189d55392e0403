import type { InvalidInput, Rejection } from '../../shared/index.ts'

export interface ApiTokenNotFound extends Rejection<'ApiTokenNotFound'> {}
export const apiTokenNotFound = (tokenId: string): ApiTokenNotFound => ({
  _tag: 'ApiTokenNotFound',
  category: 'missing',
  message: `API token ${tokenId} does not exist`
})

/** The id is taken by a token created with other data (a retry with the same data is a no-op). */
export interface ApiTokenAlreadyCreated extends Rejection<'ApiTokenAlreadyCreated'> {}
export const apiTokenAlreadyCreated = (tokenId: string): ApiTokenAlreadyCreated => ({
  _tag: 'ApiTokenAlreadyCreated',
  category: 'conflict',
  message: `API token ${tokenId} already exists with other data`
})

export type ApiTokenRejection = InvalidInput | ApiTokenNotFound | ApiTokenAlreadyCreated
