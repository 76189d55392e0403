import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto'

/** What an event may carry about a secret: ciphertext under a data key that lives elsewhere. */
export interface SealedSecret {
  readonly keyId: string
  readonly iv: string
  readonly ciphertext: string
  readonly authTag: string
  readonly algorithm: 'aes-256-gcm'
}

export interface SealResult {
  readonly sealed: SealedSecret
  /** The data key wrapped by the master key; stored in the key store, never in an event. */
  readonly wrappedKey: Buffer
}

const ALGORITHM = 'aes-256-gcm'

export class SecretUnreadable extends Error {
  readonly _tag = 'SecretUnreadable'
}

const encrypt = (key: Buffer, plaintext: Buffer, aad: string) => {
  const iv = randomBytes(12)
  const cipher = createCipheriv(ALGORITHM, key, iv)
  cipher.setAAD(Buffer.from(aad))
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return { iv, ciphertext, authTag: cipher.getAuthTag() }
}

const decrypt = (key: Buffer, iv: Buffer, ciphertext: Buffer, authTag: Buffer, aad: string): Buffer => {
  const decipher = createDecipheriv(ALGORITHM, key, iv)
  decipher.setAAD(Buffer.from(aad))
  decipher.setAuthTag(authTag)
  return Buffer.concat([decipher.update(ciphertext), decipher.final()])
}

/**
 * Envelope encryption: a fresh data key per secret encrypts the value; the master key wraps the
 * data key. The key id is bound in as associated data so blobs cannot be swapped between keys.
 */
export const sealSecret = (masterKey: Buffer, plaintext: string): SealResult => {
  const keyId = randomUUID()
  const dataKey = randomBytes(32)
  const value = encrypt(dataKey, Buffer.from(plaintext, 'utf8'), keyId)
  const wrapped = encrypt(masterKey, dataKey, `wrap:${keyId}`)
  dataKey.fill(0)
  return {
    sealed: {
      keyId,
      iv: value.iv.toString('base64'),
      ciphertext: value.ciphertext.toString('base64'),
      authTag: value.authTag.toString('base64'),
      algorithm: ALGORITHM
    },
    wrappedKey: Buffer.concat([wrapped.iv, wrapped.authTag, wrapped.ciphertext])
  }
}

export const openSecret = (masterKey: Buffer, wrappedKey: Buffer, sealed: SealedSecret): string => {
  try {
    const dataKey = decrypt(masterKey, wrappedKey.subarray(0, 12), wrappedKey.subarray(28), wrappedKey.subarray(12, 28), `wrap:${sealed.keyId}`)
    const plain = decrypt(dataKey, Buffer.from(sealed.iv, 'base64'), Buffer.from(sealed.ciphertext, 'base64'), Buffer.from(sealed.authTag, 'base64'), sealed.keyId)
    dataKey.fill(0)
    return plain.toString('utf8')
  } catch {
    // Never say more: the message may end up in a log.
    throw new SecretUnreadable(`secret ${sealed.keyId} cannot be decrypted (wrong master key or tampered data)`)
  }
}

/** Parses OPS_MASTER_KEY: 32 bytes as base64 or hex. */
export const parseMasterKey = (text: string): Buffer | undefined => {
  const t = text.trim()
  const hex = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : undefined
  if (hex) return hex
  const b64 = Buffer.from(t, 'base64')
  return b64.length === 32 ? b64 : undefined
}

export const generateMasterKey = (): string => randomBytes(32).toString('base64')
