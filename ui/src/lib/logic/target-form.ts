import type { ConnectionKind, Target } from '../api/types.ts'

/** What the target form edits, as text the way a person types it. */
export interface TargetDraft {
  name: string
  address: string
  port: string
  connection: ConnectionKind
  credentialId: string
  tags: string
  attributes: string
}

export const emptyDraft = (): TargetDraft => ({ name: '', address: '', port: '', connection: 'SSH', credentialId: '', tags: '', attributes: '' })

export const draftOf = (t: Target): TargetDraft => ({
  name: t.name,
  address: t.address,
  port: t.port === null ? '' : String(t.port),
  connection: t.connection,
  credentialId: t.credential?.id ?? '',
  tags: t.tags.join(' '),
  attributes: Object.entries(t.attributes ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')
})

/** Tags separated by spaces or commas, de-duplicated, in typed order. */
export const parseTags = (text: string): string[] => [...new Set(text.split(/[\s,]+/).filter(Boolean))]

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly field: string; readonly message: string }

/** `key=value` per line (blank lines and `#` comments skipped). */
export const parseAttributes = (text: string): Parsed<Record<string, string>> => {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq <= 0) return { ok: false, field: 'attributes', message: `Line ${i + 1}: write key=value (got "${line.slice(0, 40)}")` }
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim()
  }
  return { ok: true, value: out }
}

export const parsePort = (text: string): Parsed<number | null> => {
  const t = text.trim()
  if (!t) return { ok: true, value: null }
  if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 65535) return { ok: false, field: 'port', message: 'Port: a number from 1 to 65535, or empty for the default' }
  return { ok: true, value: Number(t) }
}

/** Variables for registerTarget, or the first field a person must fix. */
export const registerVariables = (d: TargetDraft): Parsed<Record<string, unknown>> => {
  if (!d.name.trim()) return { ok: false, field: 'name', message: 'Name: enter a name' }
  if (!d.address.trim() && d.connection !== 'LOCAL') return { ok: false, field: 'address', message: 'Address: enter a host name or IP address' }
  const port = parsePort(d.port)
  if (!port.ok) return port
  const attributes = parseAttributes(d.attributes)
  if (!attributes.ok) return attributes
  return {
    ok: true,
    value: {
      name: d.name.trim(),
      address: d.address.trim() || 'localhost',
      port: d.connection === 'LOCAL' ? null : port.value,
      connection: d.connection,
      credentialId: d.credentialId || null,
      tags: parseTags(d.tags),
      attributes: attributes.value
    }
  }
}

/** Tags to add and to remove to go from `before` to `after`. */
export const tagChanges = (before: ReadonlyArray<string>, after: ReadonlyArray<string>) => ({
  add: after.filter((t) => !before.includes(t)),
  remove: before.filter((t) => !after.includes(t))
})
