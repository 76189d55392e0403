import { CONNECTION_KINDS } from '../commands.ts'
import type { FilterAst, TextField } from './ast.ts'
import { fault } from './errors.ts'
import type { TermToken, TermValue } from './lexer.ts'
import { jsRegexError, portabilityProblem } from './regex.ts'

// The same rules as registering a target: a key that cannot be stored can never match.
const FIELD = /^[a-z][a-z0-9_]{0,31}$/
const TAG = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const isTextField = (field: string): field is TextField => field === 'name' || field === 'address'

const regexTerm = (field: string, value: TermValue): FilterAst => {
  if (!isTextField(field)) return fault(value.pos, `unexpected regular expression for "${field}:"`, 'only name and address take /regex/; other fields match exactly')
  const source = value.text
  if (source === '') return fault(value.pos, 'empty regular expression', 'write a pattern between the slashes, e.g. /^web-/')
  for (const [i, flag] of [...value.flags].entries())
    if (flag !== 'i' || value.flags.indexOf(flag) !== i)
      fault(value.flagsPos + i, `unknown regular expression flag "${flag}"`, 'only "i" (ignore case) is supported, once')
  const jsError = jsRegexError(source)
  if (jsError !== undefined) return fault(value.pos, `invalid regular expression /${source}/`, jsError)
  const problem = portabilityProblem(source)
  if (problem)
    return fault(value.pos + 1 + problem.offset, `unsupported regular expression construct "${problem.construct}"`, problem.reason)
  return { kind: 'regex', field, source, ignoreCase: value.flags === 'i' }
}

const tagTerm = ({ text, pos }: TermValue): FilterAst =>
  TAG.test(text)
    ? { kind: 'tag', tag: text }
    : fault(pos, `invalid tag ${JSON.stringify(text)}`, 'a tag starts with a letter or digit and holds at most 64 letters, digits, "_", "." and "-" (no wildcards)')

const connectionTerm = ({ text, pos }: TermValue): FilterAst => {
  const connection = CONNECTION_KINDS.find((kind) => kind === text.toUpperCase())
  return connection
    ? { kind: 'connection', connection }
    : fault(pos, `unknown connection ${JSON.stringify(text)}`, `expected one of ${CONNECTION_KINDS.join(', ')}`)
}

const idTerm = ({ text, pos }: TermValue): FilterAst =>
  UUID.test(text) ? { kind: 'id', id: text.toLowerCase() } : fault(pos, `invalid id ${JSON.stringify(text)}`, 'expected a UUID such as 0b5e3f4c-1d2a-4c8e-9f00-123456789abc')

/** Turns one `field:value` into a node, checking the value against the field's rules. */
export const buildTerm = (token: TermToken): FilterAst => {
  const field = token.field ?? 'name'
  if (!FIELD.test(field))
    return fault(token.pos, `invalid field ${JSON.stringify(field)}`, 'use tag, name, address, connection, id or an attribute key (a lower-case letter, then up to 31 lower-case letters, digits or "_")')
  const value = token.value
  if (value.style === 'regex') return regexTerm(field, value)
  if (isTextField(field)) return { kind: 'glob', field, pattern: value.text }
  switch (field) {
    case 'tag':
      return tagTerm(value)
    case 'connection':
      return connectionTerm(value)
    case 'id':
      return idTerm(value)
    default:
      return { kind: 'attribute', key: field, value: value.text }
  }
}
