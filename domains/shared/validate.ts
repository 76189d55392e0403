import { invalidInput, type InvalidInput } from './errors.ts'
import { parseInstant } from './time.ts'

/**
 * Small, total validators used by deciders. Each returns the rejection (naming the field) or
 * undefined; `firstInvalid` runs a list and stops at the first fault so the caller gets one
 * clear message.
 */
export type Check = () => InvalidInput | undefined

export const firstInvalid = (...checks: ReadonlyArray<Check>): InvalidInput | undefined => {
  for (const check of checks) {
    const fault = check()
    if (fault) return fault
  }
  return undefined
}

// Control characters other than tab/newline never belong in names or identifiers.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/

export const text =
  (field: string, value: unknown, opts: { min?: number; max: number; pattern?: RegExp; patternHint?: string }): Check =>
  () => {
    if (typeof value !== 'string') return invalidInput(field, 'must be a string')
    const min = opts.min ?? 1
    if (value.trim().length < min) return invalidInput(field, min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
    if (value.length > opts.max) return invalidInput(field, `must be at most ${opts.max} characters (got ${value.length})`)
    if (CONTROL.test(value)) return invalidInput(field, 'must not contain control characters')
    if (opts.pattern && !opts.pattern.test(value)) return invalidInput(field, opts.patternHint ?? `must match ${opts.pattern}`)
    return undefined
  }

export const oneOf =
  <T extends string>(field: string, value: unknown, allowed: ReadonlyArray<T>): Check =>
  () =>
    typeof value === 'string' && (allowed as ReadonlyArray<string>).includes(value)
      ? undefined
      : invalidInput(field, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`)

export const integer =
  (field: string, value: unknown, min: number, max: number): Check =>
  () =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : invalidInput(field, `must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`)

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value)

export const uuid =
  (field: string, value: unknown): Check =>
  () =>
    isUuid(value) ? undefined : invalidInput(field, `must be a UUID (got ${JSON.stringify(String(value).slice(0, 60))})`)

// PostgreSQL's jsonb refuses both (and so would the event store): a NUL anywhere, and half of a
// UTF-16 surrogate pair, which a JSON body can smuggle in as "\ud800".
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * The path of the first string (value or key) in `value` that cannot be stored — a NUL
 * character or an unpaired surrogate — or undefined. Checked on every event before it is
 * published, whatever field it came from.
 */
export const unstorableTextAt = (value: unknown, path = ''): string | undefined => {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path || 'value' : undefined
  if (value === null || typeof value !== 'object') return undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableTextAt(value[i], `${path}[${i}]`)
      if (found) return found
    }
    return undefined
  }
  for (const [key, inner] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key
    if (UNSTORABLE.test(key)) return at
    const found = unstorableTextAt(inner, at)
    if (found) return found
  }
  return undefined
}

/** An ISO-8601 UTC instant such as `2025-01-01T00:00:00.000Z`, the form times take in commands. */
export const instant =
  (field: string, value: unknown): Check =>
  () =>
    parseInstant(value) === undefined ? invalidInput(field, 'must be an ISO-8601 UTC time such as 2025-01-01T00:00:00.000Z') : undefined

export const optional =
  (value: unknown, check: Check): Check =>
  () =>
    value === undefined || value === null ? undefined : check()

// ---- Additions for targets, credentials, jobs (additive; nothing above changes). ----

/** UTF-8 size of a string, counted without TextEncoder so the domain needs no platform API. */
export const utf8Length = (value: string): number => {
  let bytes = 0
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4
  }
  return bytes
}

export const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Rejects keys outside `allowed`, so a typo such as `comand` is an error, not silently dropped. */
export const knownKeys =
  (field: string, value: Readonly<Record<string, unknown>>, allowed: ReadonlyArray<string>): Check =>
  () => {
    const unknown = Object.keys(value).find((key) => !allowed.includes(key))
    return unknown === undefined ? undefined : invalidInput(`${field}.${unknown}`, `is not a known field (expected one of ${allowed.join(', ')})`)
  }

/** Dotted-quad IPv4 with no leading zeros: `010.0.0.1` is ambiguous (octal in some resolvers). */
export const isIpv4 = (value: string): boolean => {
  const parts = value.split('.')
  return parts.length === 4 && parts.every((part) => /^(0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255)
}

/**
 * IPv6 literal (RFC 4291 text forms: full, `::`-compressed, trailing embedded IPv4), with an
 * optional `%zone` for link-local addresses. No brackets: those belong to URLs, not addresses.
 */
export const isIpv6 = (value: string): boolean => {
  const zoneAt = value.indexOf('%')
  const address = zoneAt === -1 ? value : value.slice(0, zoneAt)
  if (zoneAt !== -1 && !/^[A-Za-z0-9_.-]{1,64}$/.test(value.slice(zoneAt + 1))) return false
  const halves = address.split('::')
  if (halves.length > 2) return false
  const groupsOf = (half: string): string[] | undefined => (half === '' ? [] : half.split(':'))
  const head = groupsOf(halves[0] ?? '')
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : []
  if (!head || !tail) return false
  const groups = [...head, ...tail]
  let width = 0
  for (const [index, group] of groups.entries()) {
    // An embedded IPv4 may only close the address: `::ffff:1.2.3.4`, never `1.2.3.4::`.
    const last = index === groups.length - 1 && (halves.length === 1 || tail.length > 0)
    if (last && group.includes('.')) {
      if (!isIpv4(group)) return false
      width += 2
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(group)) width += 1
    else return false
  }
  // `::` stands for at least one zero group; without it all eight groups must be written.
  return halves.length === 2 ? width <= 7 : width === 8
}

/**
 * RFC 1123 host name: labels of 1–63 letters, digits and inner hyphens, ≤ 253 characters in all.
 * A name whose last label is numeric is a mistyped IPv4 address (`10.0.0.256`), not a host name.
 */
export const isHostname = (value: string): boolean => {
  if (value.length < 1 || value.length > 253) return false
  const labels = value.split('.')
  const label = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
  return labels.every((part) => label.test(part)) && !/^[0-9]+$/.test(labels[labels.length - 1] ?? '')
}

/** Strict base64 (standard alphabet, padded). */
export const isBase64 = (value: unknown): value is string =>
  typeof value === 'string' && value.length % 4 === 0 && /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)

/** Bytes a strict base64 string decodes to. */
export const base64Bytes = (value: string): number => (value.length / 4) * 3 - (value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0)

/**
 * Deep equality of plain JSON values, blind to key order: events read back from PostgreSQL JSONB
 * do not keep the key order they were written with, so JSON.stringify comparisons would lie.
 */
export const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]))
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
}
