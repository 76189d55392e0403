import type { FilterAst } from './ast.ts'
import { fault, FilterFault, filterSyntaxError, type FilterSyntaxError } from './errors.ts'
import { Lexer, type Token } from './lexer.ts'
import { buildTerm } from './terms.ts'

export const MAX_FILTER_LENGTH = 2_000
/** Parentheses and "!" together; keeps the recursion and the generated SQL shallow. */
export const MAX_FILTER_DEPTH = 32

export type ParseResult = { readonly ok: true; readonly filter: FilterAst } | { readonly ok: false; readonly error: FilterSyntaxError }

const combine = (kind: 'and' | 'or', items: FilterAst[]): FilterAst => (items.length === 1 && items[0] ? items[0] : { kind, items })

/*
 * filter  := or?
 * or      := and ("," and)*          — "," binds loosest
 * and     := unary ("+" unary)*
 * unary   := "!" unary | "(" or ")" | term
 */
class Parser {
  constructor(private readonly lexer: Lexer) {}

  or(depth: number, after: string | undefined): FilterAst {
    const items = [this.and(depth, after)]
    while (this.lexer.peek().kind === ',') {
      this.lexer.next()
      items.push(this.and(depth, ','))
    }
    return combine('or', items)
  }

  private and(depth: number, after: string | undefined): FilterAst {
    const items = [this.unary(depth, after)]
    while (this.lexer.peek().kind === '+') {
      this.lexer.next()
      items.push(this.unary(depth, '+'))
    }
    return combine('and', items)
  }

  private unary(depth: number, after: string | undefined): FilterAst {
    const token = this.lexer.next()
    if (token.kind === 'term') return buildTerm(token)
    if (token.kind === '!' || token.kind === '(') {
      if (depth >= MAX_FILTER_DEPTH) fault(token.pos, 'too deeply nested', `at most ${MAX_FILTER_DEPTH} levels of "(" and "!"`)
      return token.kind === '!' ? { kind: 'not', item: this.unary(depth + 1, '!') } : this.group(token, depth + 1)
    }
    return fault(token.pos, `expected a term${after ? ` after "${after}"` : ''}`, `found ${this.lexer.describe(token)}`)
  }

  private group(open: Token, depth: number): FilterAst {
    const inner = this.or(depth, '(')
    const close = this.lexer.next()
    if (close.kind === ')') return inner
    if (close.kind === 'end') return fault(open.pos, 'unbalanced parenthesis', '"(" is never closed')
    return fault(close.pos, 'expected "+", "," or ")"', `found ${this.lexer.describe(close)}`)
  }

  finish(): void {
    const token = this.lexer.next()
    if (token.kind === 'end') return
    if (token.kind === ')') fault(token.pos, 'unbalanced parenthesis', '")" has no matching "("')
    fault(token.pos, 'expected "+" or "," between terms', `found ${this.lexer.describe(token)}`)
  }
}

/**
 * Parses the target filter language: `tag:web+tag:prod,name:db-*`, `!(os:windows)`,
 * `address:/^10\.0\./`. Empty or blank text means every target.
 */
export const parseTargetFilter = (text: string): ParseResult => {
  if (text.length > MAX_FILTER_LENGTH)
    return { ok: false, error: filterSyntaxError(MAX_FILTER_LENGTH, 'too long', `${text.length} characters, at most ${MAX_FILTER_LENGTH}`) }
  const lexer = new Lexer(text)
  const parser = new Parser(lexer)
  try {
    if (lexer.peek().kind === 'end') return { ok: true, filter: { kind: 'all' } }
    const filter = parser.or(0, undefined)
    parser.finish()
    return { ok: true, filter }
  } catch (error) {
    if (error instanceof FilterFault) return { ok: false, error: error.error }
    throw error
  }
}
