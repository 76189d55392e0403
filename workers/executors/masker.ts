// Known secret values must never reach the stored job output (DESIGN.md). Output arrives in
// arbitrary chunks, so a secret may be split between two of them: the masker holds back the end
// of a chunk that could start a secret until the next one shows whether it does.

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

// A base64 fragment shorter than this would mask ordinary base64 output by chance.
const MIN_ENCODED_LENGTH = 8

/**
 * A secret as it commonly shows up in output besides verbatim: base64 (`… | base64`, a Basic
 * auth header), at each of the three alignments it can have inside a longer encoding, URL-encoded,
 * JSON-escaped and shell-quoted (`set -x` prints `'\''`). Base64 characters that also depend on the
 * bytes around the secret are left out, so the fragment matches wherever the secret was encoded.
 */
const encodedForms = (secret: string): string[] => {
  const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), secret.replace(/'/g, "'\\''")])
  const bytes = Buffer.from(secret)
  for (let before = 0; before < 3; before++) {
    const encoded = Buffer.concat([Buffer.alloc(before), bytes]).toString('base64')
    const end = (before + bytes.length) % 3 === 0 ? encoded.length : encoded.length - 4
    const core = encoded.slice(before === 0 ? 0 : 4, end)
    if (core.length >= MIN_ENCODED_LENGTH) forms.add(core)
  }
  return [...forms]
}

/** One masker per output stream (stdout and stderr each need their own held-back tail). */
export function createMasker(secrets: ReadonlyArray<string>): Masker {
  const needles = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(encodedForms))]
    .map((s) => Buffer.from(s))
    .sort((a, b) => b.length - a.length) // at the same offset the longest secret wins
  if (needles.length === 0) return passThrough
  let tail = Buffer.alloc(0)

  /**
   * How many bytes at the end of `data` could be the start of a secret the next chunk completes:
   * only those are held back. Ordinary output (a line that ends in "\n", say) passes at once
   * instead of waiting for more, which kept live output from a step printing a line now and then
   * (and using a key credential, whose long lines are needles) half a second behind.
   */
  const pendingStart = (data: Buffer): number => {
    let longest = 0
    for (const needle of needles) {
      for (let k = Math.min(needle.length - 1, data.length); k > longest; k--) {
        // The first byte rules out nearly every candidate without a native compare call.
        if (data[data.length - k] !== needle[0]) continue
        if (data.compare(needle, 0, k, data.length - k, data.length) === 0) {
          longest = k
          break
        }
      }
    }
    return longest
  }

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
      // A secret starting before `limit` either fits inside `data` or would make the held-back
      // end longer: it can be decided now.
      const { out, consumed } = maskUpTo(data, data.length - pendingStart(data))
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

// A PEM body line shorter than this (the last one) would mask ordinary base64 output by chance.
const MIN_KEY_LINE = 16

/**
 * The values to mask for one run: its SECRET parameters, and the credential's password,
 * passphrase and private key (each base64 line of its body: `cat ~/.ssh/id_*` prints them).
 */
export const secretsOfRun = (
  parameters: ReadonlyArray<string> | undefined,
  secret: { password?: string | null; passphrase?: string | null; privateKey?: string | null } | null | undefined
): string[] => [
  ...(parameters ?? []),
  ...[secret?.password, secret?.passphrase].filter((s): s is string => !!s),
  ...(secret?.privateKey ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length >= MIN_KEY_LINE && !line.startsWith('-----'))
]

/** A whole text masked at once (failure reasons, step errors: they end up in events). */
export const maskText = (secrets: ReadonlyArray<string>, text: string): string => {
  const masker = createMasker(secrets)
  return Buffer.concat([masker.write(Buffer.from(text)), masker.end()]).toString()
}
