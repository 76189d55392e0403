import type { AuditEntry } from '../api/types.ts'

export interface AuditFilter {
  type: string
  actorId: string
  stream: string
  /** datetime-local values (browser time zone), empty for open-ended. */
  from: string
  to: string
}

export const emptyAuditFilter = (): AuditFilter => ({ type: '', actorId: '', stream: '', from: '', to: '' })

const iso = (local: string): string | null => {
  if (!local) return null
  const d = new Date(local)
  return Number.isNaN(d.getTime()) ? null : d.toISOString()
}

/** auditLog variables: empty fields left out. */
export const auditVariables = (f: AuditFilter): Record<string, string | null> => ({
  type: f.type.trim() || null,
  actorId: f.actorId.trim() || null,
  stream: f.stream.trim() || null,
  from: iso(f.from),
  to: iso(f.to)
})

/** The export URL for the same filter (GET /audit/export). */
export const exportUrl = (f: AuditFilter, format: 'csv' | 'ndjson'): string => {
  const q = new URLSearchParams({ format, order: 'desc' })
  for (const [key, value] of Object.entries(auditVariables(f))) if (value) q.set(key, value)
  return `/audit/export?${q.toString()}`
}

/** A one-line account of an event's data for the list (the detail panel shows all of it). */
export const dataSummary = (entry: Pick<AuditEntry, 'data'>, max = 160): string => {
  const data = entry.data
  if (data === null || data === undefined) return ''
  if (typeof data !== 'object') return String(data).slice(0, max)
  const parts: string[] = []
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (value === null || value === undefined) continue
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
    parts.push(`${key}=${text.length > 40 ? `${text.slice(0, 40)}…` : text}`)
    if (parts.join(' ').length > max) break
  }
  const line = parts.join(' ')
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}
