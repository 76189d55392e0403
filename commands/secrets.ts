import { hash, verify } from '@node-rs/argon2'
import { Context, Effect, Layer } from 'effect'
import type { SealedSecret } from '../domains/credentials/index.ts'
import type { Pool } from '../projections/db.ts'
import { loadDataKey, storeDataKey } from '../projections/key-store.ts'
import { openSecret, sealSecret } from '../vault/index.ts'
import { StoreUnavailable } from './errors.ts'

/** Seals secret material for one credential and keeps its data key; opens it for executors. */
export class Vault extends Context.Service<
  Vault,
  {
    readonly seal: (credentialId: string, plaintext: string) => Effect.Effect<SealedSecret, StoreUnavailable>
    /** Fails when the data key was shredded or the master key is wrong. */
    readonly open: (sealed: SealedSecret) => Effect.Effect<string, StoreUnavailable>
  }
>()('opsconductor/Vault') {}

export const VaultLive = (deps: { readonly pool: Pool; readonly masterKey: Buffer }) =>
  Layer.succeed(Vault, {
    seal: (credentialId, plaintext) =>
      Effect.tryPromise({
        try: async () => {
          const { sealed, wrappedKey } = sealSecret(deps.masterKey, plaintext)
          await storeDataKey(deps.pool, sealed.keyId, credentialId, wrappedKey)
          return sealed
        },
        catch: () => new StoreUnavailable({ reason: 'could not store the data key' })
      }),
    open: (sealed) =>
      Effect.tryPromise({
        try: async () => {
          const wrapped = await loadDataKey(deps.pool, sealed.keyId)
          if (!wrapped) throw new Error('shredded')
          return openSecret(deps.masterKey, wrapped, sealed)
        },
        catch: () => new StoreUnavailable({ reason: `secret ${sealed.keyId} cannot be opened (deleted, or wrong master key)` })
      })
  })

// argon2id, OWASP's second recommended profile: 19 MiB, 2 passes, 1 lane (~90 ms here).
const ARGON2 = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 }

export class PasswordHasher extends Context.Service<
  PasswordHasher,
  {
    readonly hash: (password: string) => Effect.Effect<string>
    readonly verify: (passwordHash: string, password: string) => Effect.Effect<boolean>
  }
>()('opsconductor/PasswordHasher') {}

export const PasswordHasherLive = Layer.succeed(PasswordHasher, {
  hash: (password) => Effect.promise(() => hash(password, ARGON2)),
  verify: (passwordHash, password) => Effect.promise(() => verify(passwordHash, password).catch(() => false))
})
