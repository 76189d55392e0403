import type { Job } from '../api/types.ts'

export type DiffLine = { readonly kind: 'same' | 'added' | 'removed'; readonly text: string; readonly a: number | null; readonly b: number | null }

/**
 * Line diff (longest common subsequence), fine for job definitions of a few hundred lines;
 * very long inputs fall back to "all removed, all added" rather than freezing the page.
 */
export const diffLines = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): DiffLine[] => {
  const n = a.length
  const m = b.length
  if (n * m > 4_000_000) return [...a.map((text, i) => ({ kind: 'removed' as const, text, a: i + 1, b: null })), ...b.map((text, j) => ({ kind: 'added' as const, text, a: null, b: j + 1 }))]
  // lcs[i][j] = LCS length of a[i..] and b[j..], in one flat array.
  const lcs = new Uint32Array((n + 1) * (m + 1))
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * (m + 1) + j] = a[i] === b[j] ? lcs[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!)
  const out: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i]!, a: i + 1, b: j + 1 })
      i++
      j++
    } else if (lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!) {
      out.push({ kind: 'removed', text: a[i]!, a: i + 1, b: null })
      i++
    } else {
      out.push({ kind: 'added', text: b[j]!, a: null, b: j + 1 })
      j++
    }
  }
  for (; i < n; i++) out.push({ kind: 'removed', text: a[i]!, a: i + 1, b: null })
  for (; j < m; j++) out.push({ kind: 'added', text: b[j]!, a: null, b: j + 1 })
  return out
}

const block = (label: string, value: string | null | undefined, indent: string): string[] => {
  if (value === null || value === undefined || value === '') return []
  const lines = value.split('\n')
  return lines.length === 1 ? [`${indent}${label}: ${value}`] : [`${indent}${label}: |`, ...lines.map((l) => `${indent}  ${l}`)]
}

/** A job version as readable, diffable text (one fact per line, multi-line texts indented). */
export const jobText = (job: Pick<Job, 'name' | 'description' | 'steps' | 'parameters'>): string[] => {
  const lines = [`name: ${job.name}`, ...block('description', job.description, ''), 'steps:']
  job.steps.forEach((s, i) => {
    lines.push(`  ${i + 1}. ${s.kind}${s.name ? ` "${s.name}"` : ''}${s.timeoutSeconds ? ` (timeout ${s.timeoutSeconds} s)` : ''}`)
    lines.push(...block('command', s.command, '     '), ...block('interpreter', s.interpreter, '     '), ...block('script', s.script, '     '))
    lines.push(...block('path', s.path, '     '), ...block('mode', s.mode, '     '), ...block('content', s.content, '     '))
  })
  lines.push('parameters:')
  if (job.parameters.length === 0) lines.push('  (none)')
  for (const p of job.parameters) {
    const facts = [p.type, p.required ? 'required' : 'optional']
    if (p.default !== null && p.default !== undefined) facts.push(`default ${JSON.stringify(p.default)}`)
    if (p.pattern) facts.push(`pattern /${p.pattern}/`)
    if (p.choices?.length) facts.push(`choices ${p.choices.join(' | ')}`)
    lines.push(`  ${p.name}: ${facts.join(', ')}`)
  }
  return lines
}

/** How many lines were added and removed. */
export const diffStats = (lines: ReadonlyArray<DiffLine>) => ({
  added: lines.filter((l) => l.kind === 'added').length,
  removed: lines.filter((l) => l.kind === 'removed').length
})
