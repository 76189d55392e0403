/**
 * Terminal output as text runs with colours: SGR colour/bold codes become CSS classes (no inline
 * styles, so the strict CSP holds); every other escape sequence is dropped. A carriage return
 * keeps only what follows it, as a terminal would show a progress line.
 */
export interface Run {
  readonly text: string
  /** CSS classes such as `fg-1 b`; empty for plain text. */
  readonly classes: string
}

// CSI sequences (ESC [ … final byte), OSC sequences (ESC ] … BEL or ESC \), and lone two-byte escapes.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g
const SGR = /^\x1b\[([0-9;]*)m$/

export const stripAnsi = (text: string): string => visible(text).replace(ESCAPES, '')

/** What a terminal shows after carriage returns. */
export const visible = (line: string): string => {
  const cr = line.lastIndexOf('\r')
  if (cr === -1) return line
  // A trailing \r (from \r\n split oddly) shows the text before it.
  return cr === line.length - 1 ? visible(line.slice(0, -1)) : line.slice(cr + 1)
}

interface Style {
  fg: number | null
  bg: number | null
  bold: boolean
  dim: boolean
  underline: boolean
}

const classesOf = (s: Style): string =>
  [s.fg !== null ? `fg-${s.fg}` : '', s.bg !== null ? `bg-${s.bg}` : '', s.bold ? 'b' : '', s.dim ? 'd' : '', s.underline ? 'u' : ''].filter(Boolean).join(' ')

const apply = (style: Style, params: string): void => {
  const codes = params === '' ? [0] : params.split(';').map((p) => Number(p || 0))
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!
    if (c === 0) Object.assign(style, { fg: null, bg: null, bold: false, dim: false, underline: false })
    else if (c === 1) style.bold = true
    else if (c === 2) style.dim = true
    else if (c === 4) style.underline = true
    else if (c === 22) style.bold = style.dim = false
    else if (c === 24) style.underline = false
    else if (c >= 30 && c <= 37) style.fg = c - 30
    else if (c >= 90 && c <= 97) style.fg = c - 90 + 8
    else if (c === 39) style.fg = null
    else if (c >= 40 && c <= 47) style.bg = c - 40
    else if (c >= 100 && c <= 107) style.bg = c - 100 + 8
    else if (c === 49) style.bg = null
    else if (c === 38 || c === 48) {
      // 256-colour and true-colour: map the 16 basic entries, skip the rest.
      const mode = codes[i + 1]
      if (mode === 5) {
        const n = codes[i + 2] ?? 0
        if (n < 16) c === 38 ? (style.fg = n) : (style.bg = n)
        i += 2
      } else if (mode === 2) i += 4
    }
  }
}

/** Splits one line into styled runs. Lines without escapes cost one check. */
export const ansiRuns = (line: string): Run[] => {
  const text = visible(line)
  if (!text.includes('\x1b')) return [{ text, classes: '' }]
  const runs: Run[] = []
  const style: Style = { fg: null, bg: null, bold: false, dim: false, underline: false }
  let last = 0
  for (const match of text.matchAll(ESCAPES)) {
    if (match.index > last) runs.push({ text: text.slice(last, match.index), classes: classesOf(style) })
    const sgr = SGR.exec(match[0])
    if (sgr) apply(style, sgr[1]!)
    last = match.index + match[0].length
  }
  if (last < text.length) runs.push({ text: text.slice(last), classes: classesOf(style) })
  return runs
}
