import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import type { Row } from './types.ts'

const fmt = (n: number | undefined) => (n === undefined ? '' : n >= 100 ? Math.round(n).toLocaleString('en') : String(n))

export const renderTable = (rows: ReadonlyArray<Row>): string => {
  const header = '| group | measure | value | unit | anchor (same run) | ratio | goal | note |\n|---|---|---:|---|---|---:|---|---|'
  const lines = rows.map(
    (r) =>
      `| ${r.group} | ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.anchor ? `${r.anchor}: ${fmt(r.anchorValue)}` : ''} | ${r.ratio ?? ''} | ${r.goal ?? ''} | ${r.note ?? ''} |`
  )
  return [header, ...lines].join('\n')
}

/** docs/BENCHMARKS.md: the table of the last `npm run bench`, with the machine it ran on. */
export const writeReport = async (rows: ReadonlyArray<Row>, notes: ReadonlyArray<string>, loadBefore: number): Promise<void> => {
  const cpus = os.cpus()
  const text = `# Benchmarks

Written by \`npm run bench\` (${new Date().toISOString()}), on ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'},
${Math.round(os.totalmem() / 1024 ** 3)} GiB, Node ${process.version}, load average ${loadBefore.toFixed(2)} before the run and ${os.loadavg()[0]!.toFixed(2)} after it.
Every anchor (physical limit or peer) was measured in the same run as the figure beside it:
read the ratios, not the absolute numbers — on a shared 2-core machine those move by ±30 %.

${renderTable(rows)}

${notes.map((n) => `- ${n}`).join('\n')}
`
  await mkdir('docs', { recursive: true })
  await writeFile('docs/BENCHMARKS.md', text)
}
