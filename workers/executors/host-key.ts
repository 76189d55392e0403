import crypto from 'node:crypto'
import type { ServerHostKeyAlgorithm } from 'ssh2'

/**
 * `<key type> SHA256:<base64 without padding>` of an SSH public key blob, the form
 * `ssh-keygen -l` prints and targets pin (e.g. `ssh-ed25519 SHA256:uNiVz…`).
 */
export function hostKeyFingerprint(blob: Buffer): string {
  // The blob starts with the key type as an SSH string (uint32 length, then the name).
  const typeLength = blob.length >= 4 ? blob.readUInt32BE(0) : 0
  const type = blob.subarray(4, 4 + typeLength).toString('latin1') || 'unknown'
  return `${type} SHA256:${crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}

const parts = (fingerprint: string): { type: string | null; hash: string } => {
  const words = fingerprint.trim().split(/\s+/)
  return words.length >= 2 ? { type: words[0] ?? null, hash: words[1] ?? '' } : { type: null, hash: words[0] ?? '' }
}

/** A pin without the type (`SHA256:…` only) matches on the hash alone. */
export function sameHostKey(pinned: string, offered: string): boolean {
  const p = parts(pinned)
  const o = parts(offered)
  return p.hash === o.hash && (p.type === null || p.type === o.type)
}

const DEFAULT_ORDER: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'
]

/**
 * A server with several host keys shows the one we ask for first, so ask for the pinned type:
 * otherwise an ed25519 pin would meet the server's ECDSA key and fail as a "mismatch".
 */
export function hostKeyAlgorithms(pinned: string | null): ServerHostKeyAlgorithm[] {
  const type = pinned ? parts(pinned).type : null
  const wanted = DEFAULT_ORDER.filter((a) => type !== null && (a === type || (type === 'ssh-rsa' && a.startsWith('rsa-sha2'))))
  return [...wanted, ...DEFAULT_ORDER.filter((a) => !wanted.includes(a))]
}
