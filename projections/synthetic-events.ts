import { chainHash, GENESIS_HASH } from './canonical.ts'
import type { Pool } from './db.ts'
import type { RecordedEvent } from '../domains/shared/index.ts'

/**
 * Writes `count` target events straight into the event store (with a valid hash chain and the
 * sink checkpoint), as a benchmark fixture for rebuilds: two thirds registrations, one third tags.
 */
export const insertSyntheticTargetEvents = async (pool: Pool, count: number): Promise<void> => {
  const meta = { actor: { kind: 'system', id: 'bench', name: 'bench' }, commandId: '', correlationId: '', causationId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 }
  let hash: Buffer = GENESIS_HASH
  const targetIds: string[] = []
  for (let start = 1; start <= count; start += 5_000) {
    const batch: RecordedEvent[] = []
    for (let position = start; position < Math.min(start + 5_000, count + 1); position++) {
      const tagging = position % 3 === 0 && targetIds.length > 0
      const targetId = tagging ? targetIds[position % targetIds.length]! : crypto.randomUUID()
      if (!tagging) targetIds.push(targetId)
      const data = tagging
        ? { targetId, tags: [`t${position % 50}`] }
        : { targetId, name: `bench-${position}`, address: `10.${(position >> 16) & 255}.${(position >> 8) & 255}.${position & 255}`, port: 22, connection: 'SSH', credentialId: null, tags: ['bench'], attributes: { os: 'linux' } }
      const stream = `target-${targetId}`
      batch.push({ id: crypto.randomUUID(), type: tagging ? 'TargetTagged' : 'TargetRegistered', stream, data, meta: { ...meta, commandId: crypto.randomUUID() } as RecordedEvent['meta'], position, index: 0 })
    }
    const hashes = batch.map((e) => (hash = chainHash(hash, e)))
    await pool.query(
      `INSERT INTO events (position, idx, id, stream, type, data, meta, message_id, actor_id, occurred_at, hash)
       SELECT p, 0, i, s, t, d, m, i::text, 'bench', now(), h
       FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::bytea[]) AS x(p, i, s, t, d, m, h)`,
      [batch.map((e) => e.position), batch.map((e) => e.id), batch.map((e) => e.stream), batch.map((e) => e.type), batch.map((e) => JSON.stringify(e.data)), batch.map((e) => JSON.stringify(e.meta)), hashes]
    )
  }
  await pool.query(
    `INSERT INTO checkpoints (name, position, last_hash) VALUES ('sink', $1, $2)
     ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, last_hash = EXCLUDED.last_hash`,
    [count, hash]
  )
}
