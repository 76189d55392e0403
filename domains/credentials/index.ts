import type { CredentialCommand } from './commands.ts'
import { credentialDecider } from './decider.ts'

export * from './commands.ts'
export * from './events.ts'
export * from './errors.ts'
export { credentialDecider, type CredentialState } from './decider.ts'
export { checkSecretMaterial, checkSealedSecret, type SecretMaterial } from './validate.ts'

/** Credentials live on `ops.evt.credential.<credentialId>`; name uniqueness is a reservation. */
export const credentials = {
  kind: 'credential',
  streamId: (c: CredentialCommand) => c.credentialId,
  decider: credentialDecider,
  startsStream: (c: CredentialCommand) => c.type === 'CreateCredential'
} as const
