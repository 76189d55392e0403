/** Text for numbers, sizes, times and durations, the same everywhere in the app. */

export const count = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`

export const bytes = (n: number): string => {
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = n / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`
}

/** 1.2 s, 45 s, 3 min 5 s, 2 h 10 min. */
export const duration = (ms: number): string => {
  if (!Number.isFinite(ms) || ms < 0) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 10) return `${s.toFixed(1)} s`
  if (s < 60) return `${Math.round(s)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`
  const h = Math.floor(m / 60)
  return `${h} h ${m % 60} min`
}

export const between = (start: string | null | undefined, end: string | null | undefined, now = Date.now()): string => {
  if (!start) return '—'
  return duration((end ? Date.parse(end) : now) - Date.parse(start))
}

/** "just now", "5 min ago", "3 h ago", "2 days ago"; older ones as a date. */
export const ago = (iso: string | null | undefined, now = Date.now()): string => {
  if (!iso) return '—'
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return '—'
  const s = Math.round((now - t) / 1000)
  if (s < 45) return 'just now'
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`
  if (s < 7 * 86_400) return `${Math.round(s / 86_400)} day${Math.round(s / 86_400) === 1 ? '' : 's'} ago`
  return dateTime(iso)
}

/** 2024-05-01 14:03:07 in the browser's time zone (sortable, unambiguous). */
export const dateTime = (iso: string | null | undefined): string => {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return '—'
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

export const percent = (part: number, whole: number): string => (whole === 0 ? '—' : `${Math.round((part / whole) * 100)} %`)

/** Who did something, from an actor/requester JSON value ({ kind, id, name }). */
export const actorName = (actor: { kind?: string; name?: string } | null | undefined): string => {
  if (!actor) return '—'
  if (actor.kind === 'system') return `system${actor.name && actor.name !== 'system' ? ` (${actor.name})` : ''}`
  if (actor.kind === 'token') return `token ${actor.name ?? ''}`.trim()
  return actor.name ?? actor.kind ?? '—'
}
