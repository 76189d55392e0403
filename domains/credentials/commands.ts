export const CREDENTIAL_KINDS = ['SSH_PASSWORD', 'SSH_KEY', 'WINRM_PASSWORD'] as const
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number]

/**
 * Secret material after the vault sealed it (AES-256-GCM under a per-secret data key). The domain
 * only checks its shape; it never sees plain text. Destroying `keyId` shreds the secret.
 */
export interface SealedSecret {
  readonly keyId: string
  readonly iv: string
  readonly ciphertext: string
  readonly authTag: string
  readonly algorithm: 'aes-256-gcm'
}

export interface CreateCredential {
  readonly type: 'CreateCredential'
  readonly credentialId: string
  readonly name: string
  readonly kind: CredentialKind
  readonly username: string
  readonly secret: SealedSecret
  readonly at: string
}
/** New secret material, and optionally a new login name; the kind never changes. */
export interface RotateCredential {
  readonly type: 'RotateCredential'
  readonly credentialId: string
  readonly secret: SealedSecret
  readonly username?: string | null
  readonly at: string
}
export interface DeleteCredential {
  readonly type: 'DeleteCredential'
  readonly credentialId: string
  readonly at: string
}

export type CredentialCommand = CreateCredential | RotateCredential | DeleteCredential
