// Places parameter values into POSIX shell text so that they always stay data. Wrapping the value in
// single quotes is only safe where the reference stands unquoted: `echo '{{x}}'`, `"{{x}}"` or a
// here-document would let a value such as `'; reboot; '` or `$(reboot)` run. So we scan the text
// with a small shell lexer and quote each value for the context it lands in, and refuse the few
// contexts where no quoting is safe.

/** Each value is marked in the text as NUL <index> NUL (validated step text never holds NUL). */
export const placeholder = (index: number): string => `\u0000${index}\u0000`

/** One shell word holding `value` literally: `it's` → `'it'\''s'`. */
export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`

type Frame =
  | { kind: 'plain'; closer: ')' | '`' | '}' | null; depth: number; cases: number }
  // dbrace: inside `${…}` within double quotes, where `}` must be escaped too.
  | { kind: 'double' | 'dbrace' | 'single' | 'ansi' | 'comment' }
  | { kind: 'heredoc'; delimiter: string; quoted: boolean; stripTabs: boolean; bodyStart: number }

type Heredoc = Omit<Extract<Frame, { kind: 'heredoc' }>, 'bodyStart'>

const plain = (closer: ')' | '`' | '}' | null): Frame => ({ kind: 'plain', closer, depth: 0, cases: 0 })
const WORD_BREAK = /[\s;&|()<>]/
const escapeIn = (value: string, chars: RegExp): string => value.replace(chars, '\\$&')

/** The text with every placeholder replaced by its value, quoted for its context; or why not. */
export function placeInShell(text: string, values: ReadonlyArray<string>): { text: string } | { fault: string } {
  const stack: Frame[] = [plain(null)]
  const pending: Heredoc[] = []
  let out = ''
  let i = 0
  const wordStart = () => i === 0 || WORD_BREAK.test(text[i - 1] ?? '')
  const fault = (why: string) => ({ fault: why })

  while (i < text.length) {
    const top = stack[stack.length - 1] ?? plain(null)
    const c = text[i] ?? ''
    const next = text[i + 1] ?? ''
    if (top.kind === 'heredoc' && (i === 0 || text[i - 1] === '\n')) {
      const end = text.indexOf('\n', i)
      const line = text.slice(i, end < 0 ? text.length : end)
      if ((top.stripTabs ? line.replace(/^\t+/, '') : line) === top.delimiter) {
        // A value must not end the here-document early: the rest would run as commands.
        const body = out.slice(top.bodyStart).split('\n').slice(0, -1)
        if (body.some((l) => (top.stripTabs ? l.replace(/^\t+/, '') : l) === top.delimiter)) {
          return fault(`a parameter value contains the here-document delimiter ${top.delimiter}`)
        }
        stack.pop()
        out += text.slice(i, end < 0 ? text.length : end + 1)
        i = end < 0 ? text.length : end + 1
        continue
      }
    }
    if (c === '\u0000') {
      const end = text.indexOf('\u0000', i + 1)
      const value = values[Number(text.slice(i + 1, end))] ?? ''
      if (out.endsWith('$') && top.kind !== 'single' && top.kind !== 'comment' && !(top.kind === 'heredoc' && top.quoted)) {
        return fault('a parameter cannot follow "$" directly (write ${name} or "$x"{{param}})')
      }
      switch (top.kind) {
        case 'plain':
          out += top.closer === '`' ? escapeIn(shellQuote(value), /[\\`$]/g) : shellQuote(value)
          break
        case 'double':
          out += escapeIn(value, /[\\"$`]/g)
          break
        case 'dbrace':
          // Shells disagree about ' inside "${…}" (bash pairs it, dash does not), so such a value
          // comes from a command substitution instead, which strips trailing newlines.
          if (!value.includes("'")) out += escapeIn(value, /[\\"$`}]/g)
          else if (!value.endsWith('\n')) out += `$(printf '%s' ${shellQuote(value)})`
          else return fault('a value with both \' and a trailing newline cannot be placed inside "${…}"')
          break
        case 'single':
          out += value.replace(/'/g, `'\\''`)
          break
        case 'comment':
          out += value.replace(/[\r\n]/g, ' ') // a newline would end the comment
          break
        case 'heredoc':
          out += top.quoted ? value : escapeIn(value, /[\\$`]/g)
          break
        case 'ansi':
          return fault("a parameter cannot be placed inside $'…' quoting")
        default:
          return absurd(top)
      }
      i = end + 1
      continue
    }
    if (c === '\\' && top.kind !== 'single' && top.kind !== 'comment' && !(top.kind === 'heredoc' && top.quoted)) {
      if (next === '\u0000') return fault('a parameter cannot follow a backslash')
      out += c + next
      i += 2
      continue
    }
    const opened = top.kind === 'plain' || top.kind === 'double' || top.kind === 'dbrace' || (top.kind === 'heredoc' && !top.quoted)
    if (opened && c === '$' && next === '(') {
      stack.push(plain(')'))
      out += '$('
      i += 2
      continue
    }
    if (opened && c === '`' && !(top.kind === 'plain' && top.closer === '`')) {
      stack.push(plain('`'))
      out += c
      i += 1
      continue
    }
    switch (top.kind) {
      case 'plain':
        if (c === '\n' && pending.length > 0) {
          out += c
          i += 1
          // Bodies follow in the order the operators appeared: push the first one last.
          for (const doc of pending.splice(0).reverse()) stack.push({ ...doc, bodyStart: out.length })
          continue
        }
        if (c === '<' && next === '<' && text[i + 2] !== '<') {
          const parsed = heredocOperator(text, i)
          if ('fault' in parsed) return parsed
          pending.push(parsed.doc)
          out += text.slice(i, parsed.end)
          i = parsed.end
          continue
        }
        if (c === "'") stack.push({ kind: 'single' })
        else if (c === '"') stack.push({ kind: 'double' })
        else if (c === '$' && next === "'") {
          stack.push({ kind: 'ansi' })
          out += "$'"
          i += 2
          continue
        } else if (c === '$' && next === '{') {
          stack.push(plain('}'))
          out += '${'
          i += 2
          continue
        } else if (c === '#' && wordStart()) stack.push({ kind: 'comment' })
        else if (wordStart() && /^case\b/.test(text.slice(i, i + 5))) top.cases += 1
        else if (wordStart() && /^esac\b/.test(text.slice(i, i + 5))) top.cases = Math.max(0, top.cases - 1)
        else if (c === '(' && top.closer === ')') top.depth += 1
        else if (c === ')' && top.closer === ')' && top.cases === 0) {
          if (top.depth > 0) top.depth -= 1
          else stack.pop()
        } else if ((c === '`' && top.closer === '`') || (c === '}' && top.closer === '}')) stack.pop()
        break
      case 'double':
        if (c === '"') stack.pop()
        else if (c === '$' && next === '{') {
          stack.push({ kind: 'dbrace' })
          out += '${'
          i += 2
          continue
        }
        break
      case 'dbrace':
        if (c === '}') stack.pop()
        else if (c === '"') stack.push({ kind: 'double' })
        break
      case 'single':
      case 'ansi':
        if (c === "'") stack.pop()
        else if (c === '\\' && top.kind === 'ansi') {
          out += c + next
          i += 2
          continue
        }
        break
      case 'comment':
        if (c === '\n') {
          stack.pop()
          continue // the newline belongs to the enclosing context (it may start a here-document)
        }
        break
      case 'heredoc':
        break
      default:
        return absurd(top)
    }
    out += c
    i += 1
  }
  return { text: out }
}

/** Parses `<<[-] WORD` at `at`; a quoted word (any of ' " \) means a literal body. */
function heredocOperator(text: string, at: number): { doc: Heredoc; end: number } | { fault: string } {
  let i = at + 2
  const stripTabs = text[i] === '-'
  if (stripTabs) i += 1
  while (text[i] === ' ' || text[i] === '\t') i += 1
  let delimiter = ''
  let quoted = false
  let quote = ''
  for (; i < text.length; i += 1) {
    const c = text[i] ?? ''
    if (c === '\u0000') return { fault: 'a parameter cannot be a here-document delimiter' }
    if (quote) {
      if (c === quote) quote = ''
      else delimiter += c
    } else if (c === "'" || c === '"') {
      quoted = true
      quote = c
    } else if (c === '\\') {
      quoted = true
      delimiter += text[i + 1] ?? ''
      i += 1
    } else if (WORD_BREAK.test(c)) break
    else delimiter += c
  }
  return { doc: { kind: 'heredoc', delimiter, quoted, stripTabs }, end: i }
}

function absurd(value: never): never {
  throw new Error(`unexpected shell context ${JSON.stringify(value)}`)
}
