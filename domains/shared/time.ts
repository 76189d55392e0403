/**
 * Instants as ISO-8601 UTC strings, the form times arrive in commands. Parsing a strict ISO
 * string is deterministic, so the domain may do it; formatting is written out by hand so no
 * `Date` object is ever built here.
 */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/

/** Milliseconds since the epoch, or undefined when `value` is not a valid ISO UTC instant. */
export const parseInstant = (value: unknown): number | undefined => {
  if (typeof value !== 'string' || !ISO_UTC.test(value)) return undefined
  const ms = Date.parse(value)
  // Date.parse rolls 2025-02-30 over into March; a real instant formats back to what was written.
  return Number.isFinite(ms) && formatInstant(ms).slice(0, 19) === value.slice(0, 19) ? ms : undefined
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0')

/** Days since 1970-01-01 → civil date (H. Hinnant's algorithm, proleptic Gregorian). */
const civilFromDays = (days: number): [number, number, number] => {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day]
}

/** The `Date.prototype.toISOString` form: `YYYY-MM-DDTHH:MM:SS.sssZ`. */
export const formatInstant = (ms: number): string => {
  const days = Math.floor(ms / 86_400_000)
  const inDay = ms - days * 86_400_000
  const [year, month, day] = civilFromDays(days)
  const time = [Math.floor(inDay / 3_600_000), Math.floor(inDay / 60_000) % 60, Math.floor(inDay / 1000) % 60]
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${time.map((part) => pad(part, 2)).join(':')}.${pad(inDay % 1000, 3)}Z`
}

/** `at` plus whole seconds; `at` has been validated by then, an invalid one stays as it is. */
export const addSeconds = (at: string, seconds: number): string => {
  const ms = parseInstant(at)
  return ms === undefined ? at : formatInstant(ms + seconds * 1000)
}

/** Milliseconds from `from` to `to`, never negative (clocks of different machines drift). */
export const elapsedMs = (from: string, to: string): number => {
  const start = parseInstant(from)
  const end = parseInstant(to)
  return start === undefined || end === undefined ? 0 : Math.max(0, end - start)
}
