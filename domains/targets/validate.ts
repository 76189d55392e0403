import {
  firstInvalid,
  integer,
  invalidInput,
  isHostname,
  isIpv4,
  isIpv6,
  isPlainObject,
  oneOf,
  text,
  uuid,
  type Check,
  type InvalidInput
} from '../shared/index.ts'
import { CONNECTION_KINDS, type ConnectionKind } from './commands.ts'

export const checkTargetId = (value: unknown): Check => uuid('id', value)
export const checkCredentialId = (value: unknown): Check => uuid('credentialId', value)
export const checkConnection = (value: unknown): Check => oneOf('connection', value, CONNECTION_KINDS)
export const checkPort = (value: unknown): Check => integer('port', value, 1, 65535)

export const checkName = (value: unknown): Check =>
  text('name', value, {
    max: 128,
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    patternHint: 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"'
  })

/** A host name (RFC 1123), an IPv4 or an IPv6 literal; the message says which rule was broken. */
export const checkAddress =
  (value: unknown): Check =>
  () => {
    const fault = text('address', value, { max: 253 })()
    if (fault || typeof value !== 'string') return fault
    if (value.startsWith('[')) return invalidInput('address', 'write IPv6 addresses without brackets (e.g. 2001:db8::1)')
    if (value.includes(':')) return isIpv6(value) ? undefined : invalidInput('address', `is not a valid IPv6 address (got ${JSON.stringify(value)})`)
    if (/^[0-9.]+$/.test(value))
      return isIpv4(value) ? undefined : invalidInput('address', `is not a valid IPv4 address: four numbers 0–255 without leading zeros (got ${JSON.stringify(value)})`)
    return isHostname(value)
      ? undefined
      : invalidInput(
          'address',
          `must be a host name (dot-separated labels of 1–63 letters, digits or inner hyphens), an IPv4 or an IPv6 address (got ${JSON.stringify(value)})`
        )
  }

export const MAX_TAGS = 64
// The target filter language uses + , ! : / as operators, so tags cannot contain them.
const TAG = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

export const checkTags =
  (value: unknown): Check =>
  () => {
    if (!Array.isArray(value)) return invalidInput('tags', 'must be a list of tags')
    if (value.length > MAX_TAGS) return invalidInput('tags', `must hold at most ${MAX_TAGS} tags (got ${value.length})`)
    return firstInvalid(
      ...value.map((tag, index) =>
        text(`tags[${index}]`, tag, {
          max: 64,
          pattern: TAG,
          patternHint: `must start with a letter or digit and contain only letters, digits, "_", "." and "-" (got ${JSON.stringify(tag)})`
        })
      )
    )
  }

/** Unique and sorted, so the same set of tags always gives the same event. */
export const normalizeTags = (tags: ReadonlyArray<string>): string[] => [...new Set(tags)].sort()

const ATTRIBUTE_KEY = /^[a-z][a-z0-9_]{0,31}$/
// These words are fields of the filter language; an attribute of that name would be ambiguous.
const RESERVED_KEYS = ['tag', 'name', 'address', 'id', 'connection']

export const checkAttributes =
  (value: unknown): Check =>
  () => {
    if (!isPlainObject(value)) return invalidInput('attributes', 'must be an object of string values')
    const entries = Object.entries(value)
    if (entries.length > 32) return invalidInput('attributes', `must hold at most 32 keys (got ${entries.length})`)
    for (const [key, item] of entries) {
      const field = `attributes.${key}`
      if (!ATTRIBUTE_KEY.test(key)) return invalidInput(field, 'key must start with a lower-case letter and hold at most 32 of a-z, 0-9 and "_"')
      if (RESERVED_KEYS.includes(key)) return invalidInput(field, `key is reserved by the filter language (${RESERVED_KEYS.join(', ')})`)
      const fault = text(field, item, { min: 0, max: 256 })()
      if (fault) return fault
    }
    return undefined
  }

/** Keys sorted, so equal maps give equal events and compare equal. */
export const normalizeAttributes = (attributes: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

// What OpenSSH prints: `<key type> SHA256:<43 base64 characters, no padding>`.
const HOST_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) SHA256:[A-Za-z0-9+/]{43}$/

export const checkHostKey =
  (value: unknown): Check =>
  () =>
    typeof value === 'string' && HOST_KEY.test(value)
      ? undefined
      : invalidInput('hostKey', `must be "<key type> SHA256:<fingerprint>" as printed by ssh-keygen -l, e.g. "ssh-ed25519 SHA256:…" (got ${JSON.stringify(String(value).slice(0, 120))})`)

/** LOCAL targets run on the worker itself: no port, no credential. */
export const checkLocalHasNoPortOrCredential = (connection: ConnectionKind, port: unknown, credentialId: unknown): InvalidInput | undefined => {
  if (connection !== 'LOCAL') return undefined
  if (port !== undefined && port !== null) return invalidInput('port', 'LOCAL targets run on the worker itself and take no port')
  if (credentialId !== undefined && credentialId !== null) return invalidInput('credentialId', 'LOCAL targets run on the worker itself and take no credential')
  return undefined
}

const FITTING_CREDENTIALS: Readonly<Record<ConnectionKind, ReadonlyArray<string>>> = {
  SSH: ['SSH_PASSWORD', 'SSH_KEY'],
  WINRM: ['WINRM_PASSWORD'],
  LOCAL: []
}

/**
 * For the command handler, which loads the credential before assigning it: an SSH target needs an
 * SSH credential, a WinRM target a WinRM one.
 */
export const checkCredentialFitsConnection = (connection: ConnectionKind, credentialKind: string): InvalidInput | undefined =>
  FITTING_CREDENTIALS[connection].includes(credentialKind)
    ? undefined
    : invalidInput('credentialId', `a ${credentialKind} credential cannot be used by a ${connection} target`)
