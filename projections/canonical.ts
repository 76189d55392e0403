import { createHash } from 'node:crypto'
import type { RecordedEvent } from '../domains/shared/index.ts'

/** JSON with object keys sorted at every depth: the same value always gives the same bytes. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i])
    return out + ']'
  }
  const record = value as Record<string, unknown>
  const keys = Object.keys(record).sort()
  let out = '{'
  let first = true
  for (const key of keys) {
    const v = record[key]
    if (v === undefined) continue
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(v)
    first = false
  }
  return out + '}'
}

export const GENESIS_HASH = Buffer.alloc(32)

/**
 * The audit chain link of one event: sha256(previous hash ‖ canonical event). Anyone holding the
 * rows can recompute it; editing, inserting or deleting a row breaks every later link.
 */
export const chainHash = (previous: Buffer, e: RecordedEvent): Buffer =>
  createHash('sha256')
    .update(previous)
    .update(canonicalJson({ position: e.position, index: e.index, id: e.id, stream: e.stream, type: e.type, data: e.data, meta: e.meta }))
    .digest()
