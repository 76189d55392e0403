import type { Queryable } from './projection.ts'

/**
 * Data keys of credential secrets, wrapped by the master key. Written when a secret is sealed,
 * destroyed by the sink when the credential is rotated or deleted (see shredCredentialKeys).
 */
export const storeDataKey = async (db: Queryable, keyId: string, credentialId: string, wrappedKey: Buffer): Promise<void> => {
  await db.query('INSERT INTO credential_keys (key_id, credential_id, wrapped_key) VALUES ($1, $2, $3) ON CONFLICT (key_id) DO NOTHING', [
    keyId,
    credentialId,
    wrappedKey
  ])
}

export const loadDataKey = async (db: Queryable, keyId: string): Promise<Buffer | null> => {
  const { rows } = await db.query('SELECT wrapped_key FROM credential_keys WHERE key_id = $1', [keyId])
  return (rows[0] as { wrapped_key: Buffer } | undefined)?.wrapped_key ?? null
}
