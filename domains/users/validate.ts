import { firstInvalid, invalidInput, oneOf, text, uuid, type Check } from '../shared/index.ts'
import { ROLES } from './commands.ts'

const USERNAME = /^[a-z0-9][a-z0-9._@-]*$/

export const checkUsername =
  (value: unknown): Check =>
  () =>
    firstInvalid(
      text('username', value, { min: 3, max: 64 }),
      // Lower-casing is the edge's job; saying so beats a generic pattern message.
      () => (typeof value === 'string' && value !== value.toLowerCase() ? invalidInput('username', 'must be lower case') : undefined),
      text('username', value, {
        min: 3,
        max: 64,
        pattern: USERNAME,
        patternHint: 'must start with a letter or digit and contain only a-z, 0-9, ".", "_", "@" and "-"'
      })
    )

// argon2id PHC string: $argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>. Only the shape is checked.
const ARGON2ID_PHC = /^\$argon2id\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/

/** Field `password`: that is the argument the caller typed. The value is never echoed. */
export const checkPasswordHash =
  (value: unknown): Check =>
  () =>
    typeof value === 'string' && value.length <= 512 && ARGON2ID_PHC.test(value)
      ? undefined
      : invalidInput('password', 'must be stored as an argon2id hash ($argon2id$…), never as a plain password')

export const checkRole = (value: unknown): Check => oneOf('role', value, ROLES)

export const checkUserId = (value: unknown): Check => uuid('id', value)
