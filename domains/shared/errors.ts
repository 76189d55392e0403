import type { Rejection } from './decider.ts'

/** Input that breaks a rule of the domain; `field` names the offending input. */
export interface InvalidInput extends Rejection<'InvalidInput'> {
  readonly field: string
}

export const invalidInput = (field: string, message: string): InvalidInput => ({
  _tag: 'InvalidInput',
  category: 'invalid',
  field,
  message: `${field}: ${message}`
})

export interface NotFound extends Rejection<'NotFound'> {}
export const notFound = (what: string, id: string): NotFound => ({ _tag: 'NotFound', category: 'missing', message: `${what} ${id} does not exist` })

/** The command contradicts the aggregate's current state (e.g. renaming a removed target). */
export interface InvalidState extends Rejection<'InvalidState'> {}
export const invalidState = (message: string): InvalidState => ({ _tag: 'InvalidState', category: 'conflict', message })

/** Another aggregate already holds a unique key (a name, a username). */
export interface AlreadyExists extends Rejection<'AlreadyExists'> {}
export const alreadyExists = (what: string, key: string, field?: string): AlreadyExists => ({
  _tag: 'AlreadyExists',
  category: 'conflict',
  message: `${what} ${JSON.stringify(key)} already exists`,
  ...(field ? { field } : {})
})
