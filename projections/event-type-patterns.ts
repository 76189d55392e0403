/**
 * Event-type selectors shared by the audit log, exports and subscriptions: exact names
 * (`TargetRegistered`) or `*`-patterns (`Execution*`, `*`). `null` / empty means every type.
 */
export type TypeSelector = ReadonlyArray<string> | null

const PATTERN = /^[A-Za-z0-9_.*-]{1,100}$/
export const MAX_TYPE_SELECTORS = 50

/** The first selector that is not a valid name or pattern, or null when all are fine. */
export const invalidTypeSelector = (types: TypeSelector): string | null => {
  if (types === null) return null
  if (types.length > MAX_TYPE_SELECTORS) return `at most ${MAX_TYPE_SELECTORS} types`
  const bad = types.find((t) => !PATTERN.test(t))
  return bad === undefined ? null : `${JSON.stringify(bad)} is not an event type name or *-pattern`
}

const matchesEverything = (types: TypeSelector): boolean => types === null || types.length === 0 || types.includes('*')

/** An in-memory test for live events. */
export const typeMatcher = (types: TypeSelector): ((type: string) => boolean) => {
  if (matchesEverything(types)) return () => true
  const exact = new Set(types!.filter((t) => !t.includes('*')))
  const patterns = types!.filter((t) => t.includes('*')).map((t) => new RegExp(`^${t.split('*').map(escapeRegExp).join('.*')}$`))
  return (type) => exact.has(type) || patterns.some((p) => p.test(type))
}

/**
 * The SQL condition on `type` (or null for no condition), pushing its parameters onto `params`.
 * Exact names use `= ANY` so the (type, position) index serves them.
 */
export const typeCondition = (types: TypeSelector, params: unknown[]): string | null => {
  if (matchesEverything(types)) return null
  const exact = types!.filter((t) => !t.includes('*'))
  const likes = types!.filter((t) => t.includes('*')).map((t) => t.split('*').map(escapeLike).join('%'))
  const parts: string[] = []
  if (exact.length > 0) parts.push(`type = ANY($${params.push(exact)}::text[])`)
  if (likes.length > 0) parts.push(`type LIKE ANY($${params.push(likes)}::text[])`)
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
// Backslash is LIKE's default escape character.
const escapeLike = (s: string): string => s.replace(/[\\%_]/g, '\\$&')
