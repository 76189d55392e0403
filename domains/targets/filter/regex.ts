/**
 * Filters are written with JS regex syntax but run by PostgreSQL's `~` (ARE), and the two differ
 * beyond a common core: `\b` is a backspace there, `(?<name>` and lookbehind do not exist, `[[:`
 * opens a POSIX class. So only that core is accepted — literals, escaped punctuation, classes,
 * `\d \w \s` (and their negations outside classes), anchors, quantifiers, groups, `(?:` and `|`.
 */
export interface RegexProblem {
  /** Offset in the source of the construct at fault. */
  readonly offset: number
  readonly construct: string
  readonly reason: string
}

/** PostgreSQL refuses repetition bounds above 255 (RE_DUP_MAX). */
const MAX_BOUND = 255
const isAlphanumeric = (c: string): boolean => /[A-Za-z0-9]/.test(c)

/** The JS engine's complaint, without the repeated pattern; undefined when it compiles. */
export const jsRegexError = (source: string): string | undefined => {
  try {
    new RegExp(source)
    return undefined
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')
  }
}

const escapeProblem = (source: string, i: number, inClass: boolean): RegexProblem | undefined => {
  const c = source[i + 1] ?? ''
  const construct = `\\${c}`
  if (!isAlphanumeric(c)) return undefined
  if ('dws'.includes(c) || (!inClass && 'DWS'.includes(c))) return undefined
  if (/[0-9]/.test(c)) return { offset: i, construct, reason: 'backreferences are not supported' }
  if (c === 'k') return { offset: i, construct, reason: 'named backreferences are not supported' }
  if (c === 'b' || c === 'B') return { offset: i, construct, reason: 'word boundaries are not supported (PostgreSQL reads \\b as a backspace); use anchors or classes' }
  if ('DWS'.includes(c)) return { offset: i, construct, reason: `${construct} is not supported inside [...]; use [^...] instead` }
  return { offset: i, construct, reason: 'this escape is not supported; escape only punctuation, or use \\d, \\w, \\s' }
}

const groupProblem = (source: string, i: number): RegexProblem | undefined => {
  if (source[i + 1] !== '?' || source[i + 2] === ':') return undefined
  const rest = source.slice(i, i + 4)
  if (rest.startsWith('(?=') || rest.startsWith('(?!')) return { offset: i, construct: rest.slice(0, 3), reason: 'lookahead is not supported' }
  if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) return { offset: i, construct: rest, reason: 'lookbehind is not supported' }
  if (rest.startsWith('(?<')) return { offset: i, construct: '(?<', reason: 'named groups are not supported; use (...) or (?:...)' }
  return { offset: i, construct: rest.slice(0, 3), reason: 'only (...) and (?:...) groups are supported' }
}

/** `{n}`, `{n,}` or `{n,m}` at `i`, returning its length, or a problem. */
const boundProblem = (source: string, i: number): RegexProblem | number => {
  const bound = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i))
  if (!bound) return { offset: i, construct: '{', reason: 'a literal "{" must be escaped as "\\{"' }
  const limits = [bound[1], bound[3]].filter((n) => n !== undefined && n !== '').map(Number)
  if (limits.some((n) => n > MAX_BOUND)) return { offset: i, construct: bound[0], reason: `repetition counts above ${MAX_BOUND} are not supported` }
  return bound[0].length
}

/** The first construct outside the common core, or undefined. Assumes the source compiles in JS. */
export const portabilityProblem = (source: string): RegexProblem | undefined => {
  let inClass = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i] ?? ''
    if (c === '\\') {
      const problem = escapeProblem(source, i, inClass)
      if (problem) return problem
      i++
    } else if (inClass) {
      if (c === ']') inClass = false
      else if (c === '[') return { offset: i, construct: '[', reason: 'a literal "[" inside [...] must be escaped as "\\["' }
    } else if (c === '[') {
      inClass = true
      const first = source[i + 1] === '^' ? i + 2 : i + 1
      // JS reads "[]" as an empty class, PostgreSQL as a literal "]": refuse the ambiguity.
      if (source[first] === ']') return { offset: i, construct: source.slice(i, first + 1), reason: 'an empty class is not supported; escape a literal "]" as "\\]"' }
      i = first - 1
    } else if (c === '(') {
      const problem = groupProblem(source, i)
      if (problem) return problem
    } else if (c === '{') {
      const bound = boundProblem(source, i)
      if (typeof bound !== 'number') return bound
      i += bound - 1
    } else if (c === '}' || c === ']') {
      return { offset: i, construct: c, reason: `a literal "${c}" must be escaped as "\\${c}"` }
    }
  }
  return undefined
}
