// Known secret values must never reach the stored job output (DESIGN.md). Output arrives in
// arbitrary chunks, so a secret may be split between two of them: the masker holds back the last
// (longest secret − 1) bytes of each chunk until the next one shows whether they start a secret.

export const MASK = Buffer.from('****')
/** Shorter values would mask ordinary output everywhere (and leak little when shown). */
export const MIN_SECRET_LENGTH = 4

export interface Masker {
  /** Masked bytes that are safe to pass on now (possibly empty). */
  write(chunk: Buffer): Buffer
  /** Whatever was held back, masked; call once at the end of the stream. */
  end(): Buffer
}

const passThrough: Masker = { write: (chunk) => chunk, end: () => Buffer.alloc(0) }

/** One masker per output stream (stdout and stderr each need their own held-back tail). */
export function createMasker(secrets: ReadonlyArray<string>): Masker {
  const needles = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH))]
    .map((s) => Buffer.from(s))
    .sort((a, b) => b.length - a.length) // at the same offset the longest secret wins
  if (needles.length === 0) return passThrough
  const keep = (needles[0]?.length ?? 1) - 1
  let tail = Buffer.alloc(0)

  /** Masks `data` up to `limit`; a match may run past `limit`, which is then where we stopped. */
  const maskUpTo = (data: Buffer, limit: number): { out: Buffer; consumed: number } => {
    const parts: Buffer[] = []
    let at = 0
    while (at < limit) {
      let hit = -1
      let hitLength = 0
      for (const needle of needles) {
        const found = data.indexOf(needle, at)
        if (found >= 0 && found < limit && (hit < 0 || found < hit)) {
          hit = found
          hitLength = needle.length
        }
      }
      if (hit < 0) break
      parts.push(data.subarray(at, hit), MASK)
      at = hit + hitLength
    }
    if (at < limit) parts.push(data.subarray(at, limit))
    return { out: Buffer.concat(parts), consumed: Math.max(at, limit) }
  }

  return {
    write(chunk) {
      const data = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk
      // Every secret starting before `limit` fits inside `data`, so it can be decided now.
      const { out, consumed } = maskUpTo(data, Math.max(0, data.length - keep))
      tail = Buffer.from(data.subarray(consumed)) // a copy: don't pin the whole chunk in memory
      return out
    },
    end() {
      const { out } = maskUpTo(tail, tail.length)
      tail = Buffer.alloc(0)
      return out
    }
  }
}

/** The values to mask for one run: its SECRET parameters and the credential's password or passphrase. */
export const secretsOfRun = (parameters: ReadonlyArray<string> | undefined, secret: { password?: string | null; passphrase?: string | null } | null | undefined): string[] => [
  ...(parameters ?? []),
  ...[secret?.password, secret?.passphrase].filter((s): s is string => !!s)
]

/** A whole text masked at once (failure reasons, step errors: they end up in events). */
export const maskText = (secrets: ReadonlyArray<string>, text: string): string => {
  const masker = createMasker(secrets)
  return Buffer.concat([masker.write(Buffer.from(text)), masker.end()]).toString()
}
