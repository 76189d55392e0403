import { Effect } from 'effect'
import { checkSecretMaterial, credentials, type CredentialKind, type SealedSecret, type SecretMaterial } from '../domains/credentials/index.ts'
import { Rejected } from './errors.ts'
import { handleCommand, loadState, refreshState, type CommandContext } from './handler.ts'
import { idFromCommand } from './ids.ts'
import { Vault } from './secrets.ts'
import { releaseKey, reserveKey } from './unique-keys.ts'

export interface CreateCredentialInput extends SecretMaterial {
  readonly name: string
  readonly kind: CredentialKind
  readonly username: string
}

const nameKey = (name: string) => name.toLowerCase()

const credentialStillNamed = (credentialId: string, key: string) =>
  loadState(credentials, credentialId, true).pipe(
    Effect.map((s) => (s.status === 'absent' ? 'absent' : s.status === 'active' && nameKey(s.name) === key ? 'uses' : 'released') as 'uses' | 'released' | 'absent'),
    Effect.orElseSucceed(() => 'uses' as const)
  )

/** The plain material, as one JSON document, is what gets sealed; only the vault can open it. */
const sealMaterial = (credentialId: string, material: SecretMaterial) =>
  Effect.gen(function* () {
    const vault = yield* Vault
    const { password, privateKey, passphrase } = material
    return yield* vault.seal(credentialId, JSON.stringify({ password, privateKey, passphrase }))
  })

// Shape-valid, never opened: lets the decider judge a command before anything is sealed.
const PLACEHOLDER_SECRET: SealedSecret = { keyId: '00000000-0000-4000-8000-000000000000', iv: 'AAAAAAAAAAAAAAAA', ciphertext: 'AA==', authTag: 'AAAAAAAAAAAAAAAAAAAAAA==', algorithm: 'aes-256-gcm' }

const refuse = (fault: ReturnType<typeof checkSecretMaterial>) => (fault ? Effect.fail(new Rejected({ rejection: fault })) : Effect.void)

export const createCredential = (input: CreateCredentialInput, context: CommandContext) =>
  Effect.gen(function* () {
    const credentialId = idFromCommand(context.commandId, 'credential')
    const existing = yield* loadState(credentials, credentialId)
    if (existing.status !== 'absent') {
      // The id derives from the command id, so this is a retry of an accepted command: the
      // handler finds the command id in the stream and answers with the original outcome.
      const { name, kind, username, secret } = existing
      return yield* handleCommand(credentials, { type: 'CreateCredential', credentialId, name, kind, username, secret, at: context.now }, context)
    }
    yield* refuse(checkSecretMaterial(input.kind, input))
    const placeholder = { ...PLACEHOLDER_SECRET, keyId: credentialId }
    const probe = credentials.decider.decide(
      { type: 'CreateCredential', credentialId, name: input.name, kind: input.kind, username: input.username, secret: placeholder, at: context.now },
      credentials.decider.initialState
    )
    if (!probe.ok) return yield* Effect.fail(new Rejected({ rejection: probe.rejection }))
    yield* reserveKey('credential-name', nameKey(input.name), credentialId, credentialStillNamed, context)
    const secret = yield* sealMaterial(credentialId, input)
    return yield* handleCommand(
      credentials,
      { type: 'CreateCredential', credentialId, name: input.name, kind: input.kind, username: input.username, secret, at: context.now },
      context
    )
  })

export const rotateCredential = (credentialId: string, material: SecretMaterial & { readonly username?: string }, context: CommandContext) =>
  Effect.gen(function* () {
    const current = yield* refreshState(credentials, credentialId)
    const rotate = (secret: SealedSecret) =>
      ({ type: 'RotateCredential', credentialId, secret, username: material.username ?? null, at: context.now }) as const
    if (current.status === 'active') {
      yield* refuse(checkSecretMaterial(current.kind, material))
      // Everything but the secret is checked before sealing: a refused rotation leaves no data key behind.
      const probe = credentials.decider.decide(rotate({ ...current.secret, keyId: credentialId }), current)
      if (!probe.ok) return yield* Effect.fail(new Rejected({ rejection: probe.rejection }))
      return yield* handleCommand(credentials, rotate(yield* sealMaterial(credentialId, material)), context)
    }
    // Missing or deleted: the decider gives the precise refusal; nothing gets sealed.
    return yield* handleCommand(credentials, rotate(current.status === 'deleted' ? current.secret : PLACEHOLDER_SECRET), context)
  })

/** The sink destroys the data key in the same transaction that stores the deletion. */
export const deleteCredential = (credentialId: string, context: CommandContext) =>
  Effect.gen(function* () {
    const before = yield* refreshState(credentials, credentialId)
    const result = yield* handleCommand(credentials, { type: 'DeleteCredential', credentialId, at: context.now }, context)
    if (before.status === 'active' && !result.replayed) yield* releaseKey('credential-name', nameKey(before.name), credentialId, context)
    return result
  })
