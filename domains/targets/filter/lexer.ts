import { fault } from './errors.ts'

export type OperatorKind = '(' | ')' | '+' | ',' | '!'

/** How a value was written: quoting only changes which characters it may hold. */
export interface TermValue {
  readonly text: string
  readonly pos: number
  readonly style: 'plain' | 'quoted' | 'regex'
  /** Letters after a regex's closing slash, starting at `flagsPos`. */
  readonly flags: string
  readonly flagsPos: number
}

/** `field:value`, or a bare value (`field` undefined), which means a name. */
export interface TermToken {
  readonly kind: 'term'
  readonly pos: number
  readonly end: number
  readonly field: string | undefined
  readonly value: TermValue
}

export type Token = { readonly kind: OperatorKind | 'end'; readonly pos: number; readonly end: number } | TermToken

const OPERATORS = '()+,!'
const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c)
// A value runs until one of these; ':' stays inside values so IPv6 addresses need no quotes.
const endsValue = (c: string | undefined): boolean => c === undefined || isSpace(c) || '()+,"'.includes(c)
const endsWord = (c: string | undefined): boolean => endsValue(c) || c === ':'

/**
 * Splits the text into operators and terms on demand, so faults are reported in reading order
 * (the first mistake in the text is the one named).
 */
export class Lexer {
  private pos = 0
  private peeked: Token | undefined

  constructor(private readonly input: string) {}

  peek(): Token {
    this.peeked ??= this.read()
    return this.peeked
  }

  next(): Token {
    const token = this.peek()
    this.peeked = undefined
    return token
  }

  /** How a token reads in a message: `"+"`, `"tag:db"` or "the end of the filter". */
  describe(token: Token): string {
    if (token.kind === 'end') return 'the end of the filter'
    const text = this.input.slice(token.pos, token.end)
    return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)
  }

  private read(): Token {
    while (isSpace(this.input[this.pos])) this.pos++
    const start = this.pos
    const c = this.input[start]
    if (c === undefined) return { kind: 'end', pos: start, end: start }
    if (OPERATORS.includes(c)) {
      this.pos++
      return { kind: c as OperatorKind, pos: start, end: this.pos }
    }
    if (c === '"' || c === '/') return this.term(start, undefined, this.value(start, 'name'))
    while (!endsWord(this.input[this.pos])) this.pos++
    const word = this.input.slice(start, this.pos)
    if (this.input[this.pos] !== ':') return this.term(start, undefined, { text: word, pos: start, style: 'plain', flags: '', flagsPos: this.pos })
    if (word === '') fault(start, 'expected a field name before ":"', 'write field:value, e.g. tag:web')
    this.pos++
    return this.term(start, word, this.value(this.pos, word))
  }

  private term(pos: number, field: string | undefined, value: TermValue): TermToken {
    return { kind: 'term', pos, end: this.pos, field, value }
  }

  private value(pos: number, field: string): TermValue {
    const c = this.input[pos]
    if (c === '"') return this.quoted(pos)
    if (c === '/') return this.regex(pos)
    if (endsValue(c)) return fault(pos, `expected a value after "${field}:"`)
    this.pos = pos
    while (!endsValue(this.input[this.pos])) this.pos++
    return { text: this.input.slice(pos, this.pos), pos, style: 'plain', flags: '', flagsPos: this.pos }
  }

  /** `"…"` with `\"` and `\\` as the only escapes; any other backslash is kept as written. */
  private quoted(pos: number): TermValue {
    let text = ''
    let i = pos + 1
    for (;;) {
      const c = this.input[i]
      if (c === undefined) return fault(pos, 'unterminated quote', 'add the closing "')
      if (c === '"') break
      const next = this.input[i + 1]
      if (c === '\\' && (next === '"' || next === '\\')) {
        text += next
        i += 2
      } else {
        text += c
        i++
      }
    }
    this.pos = i + 1
    return { text, pos, style: 'quoted', flags: '', flagsPos: this.pos }
  }

  /** `/…/flags`; the body is kept verbatim, since `\/` means "/" to JS and PostgreSQL alike. */
  private regex(pos: number): TermValue {
    let i = pos + 1
    for (;;) {
      const c = this.input[i]
      if (c === undefined) return fault(pos, 'unterminated regular expression', 'add the closing "/" (write a "/" inside it as "\\/")')
      if (c === '/') break
      i += c === '\\' ? 2 : 1
    }
    const text = this.input.slice(pos + 1, i)
    const flagsPos = i + 1
    this.pos = flagsPos
    while (/[A-Za-z0-9_]/.test(this.input[this.pos] ?? '')) this.pos++
    return { text, pos, style: 'regex', flags: this.input.slice(flagsPos, this.pos), flagsPos }
  }
}
