import { describe, expect, it } from 'vitest'
import type { FilterAst } from './ast.ts'
import { MAX_FILTER_LENGTH, parseTargetFilter } from './index.ts'

const tag = (t: string): FilterAst => ({ kind: 'tag', tag: t })
const and = (...items: FilterAst[]): FilterAst => ({ kind: 'and', items })
const or = (...items: FilterAst[]): FilterAst => ({ kind: 'or', items })
const not = (item: FilterAst): FilterAst => ({ kind: 'not', item })
const name = (pattern: string): FilterAst => ({ kind: 'glob', field: 'name', pattern })
const address = (pattern: string): FilterAst => ({ kind: 'glob', field: 'address', pattern })
const regex = (field: 'name' | 'address', source: string, ignoreCase = false): FilterAst => ({ kind: 'regex', field, source, ignoreCase })
const attr = (key: string, value: string): FilterAst => ({ kind: 'attribute', key, value })
const uuid = '0b5e3f4c-1d2a-4c8e-9f00-123456789abc'

const parses = (text: string): FilterAst => {
  const result = parseTargetFilter(text)
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got ${result.error.message}`)
  return result.filter
}

describe('Target filter', () => {
  describe('when well formed', () => {
    it.each<[string, FilterAst]>([
      ['', { kind: 'all' }],
      ['   \t ', { kind: 'all' }],
      ['tag:web', tag('web')],
      ['tag:web.v2_x-1', tag('web.v2_x-1')],
      ['tag:web+tag:prod', and(tag('web'), tag('prod'))],
      ['tag:web,tag:db', or(tag('web'), tag('db'))],
      ['tag:a+tag:b+tag:c', and(tag('a'), tag('b'), tag('c'))],
      ['tag:a,tag:b+tag:c', or(tag('a'), and(tag('b'), tag('c')))],
      ['tag:a+tag:b,tag:c+tag:d', or(and(tag('a'), tag('b')), and(tag('c'), tag('d')))],
      ['(tag:a,tag:b)+tag:c', and(or(tag('a'), tag('b')), tag('c'))],
      ['((tag:a))', tag('a')],
      ['!tag:legacy', not(tag('legacy'))],
      ['!!tag:legacy', not(not(tag('legacy')))],
      ['!(tag:a,tag:b)', not(or(tag('a'), tag('b')))],
      ['!tag:a+tag:b', and(not(tag('a')), tag('b'))],
      ['tag:web+!tag:legacy', and(tag('web'), not(tag('legacy')))],
      [' tag:a  +  tag:b ,\ttag:c ', or(and(tag('a'), tag('b')), tag('c'))],
      ['( ! tag:a )', not(tag('a'))],
      ['name:web-*', name('web-*')],
      ['name:web-0?', name('web-0?')],
      ['web-*', name('web-*')],
      ['"web 1"', name('web 1')],
      ['name:"web 1"', name('web 1')],
      ['name:"a\\"b\\\\c\\d"', name('a"b\\c\\d')],
      ['name:"x+y,(z)"', name('x+y,(z)')],
      ['address:10.0.*', address('10.0.*')],
      ['address:2001:db8::*', address('2001:db8::*')],
      ['name:/^db-\\d+$/', regex('name', '^db-\\d+$')],
      ['name:/^WEB/i', regex('name', '^WEB', true)],
      ['/^db-/', regex('name', '^db-')],
      ['address:/^10\\.0\\.(1|2)\\./', regex('address', '^10\\.0\\.(1|2)\\.')],
      ['name:/a\\/b/', regex('name', 'a\\/b')],
      ['name:/^(?:web|db)-[0-9a-f]{2,4}[^x\\d]?\\w\\s*$/', regex('name', '^(?:web|db)-[0-9a-f]{2,4}[^x\\d]?\\w\\s*$')],
      ['name:/a+?b*c??/', regex('name', 'a+?b*c??')],
      ['os:linux', attr('os', 'linux')],
      ['rack_2:"Room 4, row 7"', attr('rack_2', 'Room 4, row 7')],
      ['os:""', attr('os', '')],
      ['os:web*', attr('os', 'web*')],
      ['connection:SSH', { kind: 'connection', connection: 'SSH' }],
      ['connection:winrm', { kind: 'connection', connection: 'WINRM' }],
      [`id:${uuid.toUpperCase()}`, { kind: 'id', id: uuid }],
      ['tag:web+os:linux,name:db-*+!connection:LOCAL', or(and(tag('web'), attr('os', 'linux')), and(name('db-*'), not({ kind: 'connection', connection: 'LOCAL' })))]
    ])('parses %j', (text, expected) => expect(parses(text)).toEqual(expected))

    it(`accepts ${MAX_FILTER_LENGTH} characters and 32 levels of nesting`, () => {
      expect(parses(`tag:${'a'.repeat(60)}${',tag:b'.repeat(322)}`.padEnd(MAX_FILTER_LENGTH, ' '))).toMatchObject({ kind: 'or' })
      expect(parses(`${'('.repeat(31)}!tag:a${')'.repeat(31)}`)).toEqual(not(tag('a')))
    })
  })

  describe('when malformed', () => {
    it.each<[string, number, string]>([
      ['tag:', 4, 'filter: expected a value after "tag:" at position 4'],
      ['tag: web', 4, 'filter: expected a value after "tag:" at position 4'],
      ['tag:web+', 8, 'filter: expected a term after "+" at position 8: found the end of the filter'],
      ['tag:web,', 8, 'expected a term after ","'],
      [',,', 0, 'filter: expected a term at position 0: found ","'],
      ['tag:a,,tag:b', 6, 'filter: expected a term after "," at position 6: found ","'],
      ['tag:a+,tag:b', 6, 'expected a term after "+"'],
      ['!', 1, 'filter: expected a term after "!" at position 1: found the end of the filter'],
      ['tag:a+!', 7, 'expected a term after "!"'],
      ['()', 1, 'expected a term after "("'],
      ['(tag:a', 0, 'filter: unbalanced parenthesis at position 0: "(" is never closed'],
      ['tag:a+(tag:b,(tag:c)', 6, 'unbalanced parenthesis'],
      ['tag:a)', 5, 'filter: unbalanced parenthesis at position 5: ")" has no matching "("'],
      ['(tag:a tag:b)', 7, 'expected "+", "," or ")" at position 7: found "tag:b"'],
      ['tag:a tag:b', 6, 'filter: expected "+" or "," between terms at position 6: found "tag:b"'],
      ['tag:a !tag:b', 6, 'expected "+" or "," between terms'],
      ['name:"web 1', 5, 'filter: unterminated quote at position 5'],
      ['"web', 0, 'unterminated quote'],
      ['name:/^db-\\d+', 5, 'filter: unterminated regular expression at position 5'],
      ['name:/ab\\/', 5, 'unterminated regular expression'],
      ['tag:we$b', 4, 'filter: invalid tag "we$b" at position 4'],
      ['tag:-web', 4, 'invalid tag'],
      ['tag:web*', 4, 'no wildcards'],
      ['tag:/web/', 4, 'unexpected regular expression for "tag:"'],
      ['os:/linux/', 3, 'only name and address take /regex/'],
      ['Colour:red', 0, 'filter: invalid field "Colour" at position 0'],
      ['9lives:yes', 0, 'invalid field "9lives"'],
      [':web', 0, 'expected a field name before ":"'],
      ['connection:FTP', 11, 'filter: unknown connection "FTP" at position 11: expected one of SSH, WINRM, LOCAL'],
      ['id:42', 3, 'filter: invalid id "42" at position 3'],
      ['name://', 5, 'empty regular expression'],
      ['name:/x/g', 8, 'filter: unknown regular expression flag "g" at position 8'],
      ['name:/x/ii', 9, 'unknown regular expression flag "i"'],
      ['name:/[/', 5, 'filter: invalid regular expression /[/ at position 5: Unterminated character class'],
      ['name:/a**/', 5, 'invalid regular expression /a**/'],
      ['name:/(?<=a)b/', 6, 'unsupported regular expression construct "(?<=" at position 6: lookbehind is not supported'],
      ['name:/a(?<!b)/', 7, 'lookbehind is not supported'],
      ['name:/a(?=b)/', 7, 'lookahead is not supported'],
      ['name:/a(?!b)/', 7, 'lookahead is not supported'],
      ['name:/(a)\\1/', 9, 'construct "\\1" at position 9: backreferences are not supported'],
      ['name:/(?<n>a)\\k<n>/', 6, 'named groups are not supported'],
      ['name:/\\bweb/', 6, 'word boundaries are not supported'],
      ['name:/\\x41/', 6, 'this escape is not supported'],
      ['name:/[\\D]/', 7, 'not supported inside [...]'],
      ['name:/[[:digit:]]/', 7, 'a literal "[" inside [...] must be escaped'],
      ['name:/a[]/', 7, 'an empty class is not supported'],
      ['name:/a{1,300}/', 7, 'repetition counts above 255'],
      ['name:/a{,3}/', 7, 'a literal "{" must be escaped'],
      ['name:/a}/', 7, 'a literal "}" must be escaped'],
      [`${'('.repeat(33)}tag:a${')'.repeat(33)}`, 32, 'filter: too deeply nested at position 32: at most 32 levels of "(" and "!"'],
      [`${'!'.repeat(33)}tag:a`, 32, 'too deeply nested'],
      ['tag:a+'.repeat(334), MAX_FILTER_LENGTH, `filter: too long at position ${MAX_FILTER_LENGTH}: 2004 characters, at most ${MAX_FILTER_LENGTH}`]
    ])('refuses %j at position %i', (text, position, message) => {
      const result = parseTargetFilter(text)
      expect(result).toMatchObject({ ok: false, error: { field: 'filter', position } })
      if (!result.ok) expect(result.error.message).toContain(message)
    })
  })
})
