import { absurd, accept, firstInvalid, reject, type Decider, type Decision } from '../shared/index.ts'
import type { CreateCredential, CredentialCommand, CredentialKind, DeleteCredential, RotateCredential, SealedSecret } from './commands.ts'
import { credentialAlreadyCreated, credentialAlreadyDeleted, credentialNotFound, type CredentialRejection } from './errors.ts'
import type { CredentialEvent } from './events.ts'
import { checkCredentialId, checkKind, checkName, checkSealedSecret, checkUsername } from './validate.ts'

interface CredentialFields {
  readonly credentialId: string
  readonly name: string
  readonly kind: CredentialKind
  readonly username: string
  readonly secret: SealedSecret
}

export type CredentialState =
  | { readonly status: 'absent' }
  | ({ readonly status: 'active' } & CredentialFields)
  | ({ readonly status: 'deleted' } & CredentialFields)

export const initialState: CredentialState = { status: 'absent' }

export const evolve = (state: CredentialState, event: CredentialEvent): CredentialState => {
  switch (event.type) {
    case 'CredentialCreated':
      return { status: 'active', ...event.data }
    case 'CredentialRotated':
      return state.status === 'active' ? { ...state, username: event.data.username, secret: event.data.secret } : state
    case 'CredentialDeleted':
      return state.status === 'absent' ? state : { ...state, status: 'deleted' }
    default:
      return absurd(event)
  }
}

export const isTerminal = (state: CredentialState): boolean => state.status === 'deleted'

type CredentialDecision = Decision<CredentialEvent, CredentialRejection>

const sameSecret = (a: SealedSecret, b: SealedSecret): boolean =>
  a.keyId === b.keyId && a.iv === b.iv && a.ciphertext === b.ciphertext && a.authTag === b.authTag && a.algorithm === b.algorithm

const create = (command: CreateCredential, state: CredentialState): CredentialDecision => {
  const fault = firstInvalid(
    checkCredentialId(command.credentialId),
    checkName(command.name),
    checkKind(command.kind),
    checkUsername(command.username),
    checkSealedSecret(command.secret)
  )
  if (fault) return reject(fault)
  const { credentialId, name, kind, username, secret } = command
  if (state.status === 'deleted') return reject(credentialAlreadyDeleted(credentialId))
  if (state.status === 'active') {
    const same = state.name === name && state.kind === kind && state.username === username && sameSecret(state.secret, secret)
    return same ? accept() : reject(credentialAlreadyCreated(credentialId))
  }
  return accept({ type: 'CredentialCreated', data: { credentialId, name, kind, username, secret: { ...secret } } })
}

const rotate = (command: RotateCredential, state: CredentialState): CredentialDecision => {
  const fault = firstInvalid(
    checkCredentialId(command.credentialId),
    checkSealedSecret(command.secret),
    () => (command.username === undefined || command.username === null ? undefined : checkUsername(command.username)())
  )
  if (fault) return reject(fault)
  if (state.status === 'absent') return reject(credentialNotFound(command.credentialId))
  if (state.status === 'deleted') return reject(credentialAlreadyDeleted(command.credentialId))
  const username = command.username ?? state.username
  if (username === state.username && sameSecret(command.secret, state.secret)) return accept()
  return accept({
    type: 'CredentialRotated',
    data: { credentialId: state.credentialId, username, secret: { ...command.secret }, previousKeyId: state.secret.keyId }
  })
}

/** Deleting twice is a no-op: the caller's intent (the secret is gone) already holds. */
const remove = (command: DeleteCredential, state: CredentialState): CredentialDecision => {
  const fault = checkCredentialId(command.credentialId)()
  if (fault) return reject(fault)
  if (state.status === 'absent') return reject(credentialNotFound(command.credentialId))
  if (state.status === 'deleted') return accept()
  return accept({ type: 'CredentialDeleted', data: { credentialId: state.credentialId, name: state.name, keyId: state.secret.keyId } })
}

export const decide = (command: CredentialCommand, state: CredentialState): CredentialDecision => {
  switch (command.type) {
    case 'CreateCredential':
      return create(command, state)
    case 'RotateCredential':
      return rotate(command, state)
    case 'DeleteCredential':
      return remove(command, state)
    default:
      return absurd(command)
  }
}

export const credentialDecider: Decider<CredentialCommand, CredentialEvent, CredentialState, CredentialRejection> = {
  initialState,
  evolve,
  decide,
  isTerminal
}
