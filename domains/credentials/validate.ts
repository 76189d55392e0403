import {
  base64Bytes,
  firstInvalid,
  invalidInput,
  isBase64,
  isPlainObject,
  isUuid,
  oneOf,
  text,
  uuid,
  type Check,
  type InvalidInput
} from '../shared/index.ts'
import { CREDENTIAL_KINDS, type CredentialKind } from './commands.ts'

// No leading/trailing space: "db" and "db " would look like one name in every list.
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9._-])?$/

export const checkName = (value: unknown): Check =>
  text('name', value, {
    max: 128,
    pattern: NAME,
    patternHint: 'must start with a letter or digit and contain only letters, digits, spaces, ".", "_" and "-" (no trailing space)'
  })

export const checkUsername = (value: unknown): Check => text('username', value, { max: 128 })

export const checkKind = (value: unknown): Check => oneOf('kind', value, CREDENTIAL_KINDS)

/** GCM: 96-bit IV, 128-bit tag. A sealed 16 KiB key plus slack stays far below 64 KiB. */
export const checkSealedSecret =
  (value: unknown): Check =>
  () => {
    if (!isPlainObject(value)) return invalidInput('secret', 'must be a sealed secret object')
    const { keyId, iv, ciphertext, authTag, algorithm } = value
    if (!isUuid(keyId)) return invalidInput('secret.keyId', 'must be a UUID')
    if (algorithm !== 'aes-256-gcm') return invalidInput('secret.algorithm', 'must be aes-256-gcm')
    if (!isBase64(iv) || base64Bytes(iv) !== 12) return invalidInput('secret.iv', 'must be 12 bytes in base64')
    if (!isBase64(authTag) || base64Bytes(authTag) !== 16) return invalidInput('secret.authTag', 'must be 16 bytes in base64')
    if (!isBase64(ciphertext) || ciphertext.length === 0 || ciphertext.length > 65536)
      return invalidInput('secret.ciphertext', 'must be non-empty base64 of at most 65536 characters')
    return undefined
  }

export const checkCredentialId = (value: unknown): Check => uuid('id', value)

export interface SecretMaterial {
  readonly password?: string | null
  readonly privateKey?: string | null
  readonly passphrase?: string | null
}

const present = (value: unknown): boolean => value !== undefined && value !== null

// Secret values are never echoed: messages speak of lengths and shapes only.
const secretText = (field: string, value: unknown, max: number): InvalidInput | undefined => {
  if (typeof value !== 'string') return invalidInput(field, 'must be a string')
  if (value.length === 0) return invalidInput(field, 'must not be empty')
  if (value.length > max) return invalidInput(field, `must be at most ${max} characters (got ${value.length})`)
  return undefined
}

const PRIVATE_KEY = /^-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----\r?\n[\s\S]+\r?\n-----END ([A-Z0-9]+ )*PRIVATE KEY-----\s*$/
// Keys whose PEM header says they are encrypted cannot be used without their passphrase.
const ENCRYPTED_PEM = /^-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/m

const checkPrivateKey = (privateKey: unknown, passphrase: unknown): InvalidInput | undefined => {
  if (!present(privateKey)) return invalidInput('privateKey', 'is required for SSH_KEY credentials')
  const fault = secretText('privateKey', privateKey, 16384)
  if (fault) return fault
  const key = String(privateKey).trim()
  if (!PRIVATE_KEY.test(key))
    return invalidInput('privateKey', 'must be a PEM or OpenSSH private key (-----BEGIN … PRIVATE KEY----- … -----END … PRIVATE KEY-----)')
  if (ENCRYPTED_PEM.test(key) && !present(passphrase)) return invalidInput('passphrase', 'is required for an encrypted private key')
  return present(passphrase) ? secretText('passphrase', passphrase, 1024) : undefined
}

/**
 * Checks plain secret material at the edge, before the vault seals it: the domain never stores
 * it, so this cannot be part of `decide`. Returns the fault or undefined.
 */
export const checkSecretMaterial = (kind: CredentialKind, material: SecretMaterial): InvalidInput | undefined => {
  const kindFault = checkKind(kind)()
  if (kindFault) return kindFault
  const { password, privateKey, passphrase } = material
  if (kind === 'SSH_KEY') {
    if (present(password)) return invalidInput('password', 'is not used by SSH_KEY credentials (give privateKey and, if encrypted, passphrase)')
    return checkPrivateKey(privateKey, passphrase)
  }
  return firstInvalid(
    () => (present(privateKey) ? invalidInput('privateKey', `is only for SSH_KEY credentials, not ${kind}`) : undefined),
    () => (present(passphrase) ? invalidInput('passphrase', `is only for SSH_KEY credentials, not ${kind}`) : undefined),
    () => (present(password) ? secretText('password', password, 1024) : invalidInput('password', `is required for ${kind} credentials`))
  )
}
