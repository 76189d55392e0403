import { GraphQLError, Kind, visit, type ArgumentNode, type ASTNode, type DocumentNode, type ExecutionResult, type ValueNode } from 'graphql'
import { unstorableTextAt } from '../../../domains/shared/index.ts'
import { badInput } from '../errors.ts'
import type { Plugin } from 'graphql-yoga'

/**
 * GraphQL rejects some bad input before any resolver runs: a wrong scalar type, an unknown enum
 * value, a missing required argument. Those errors come without a code and often without naming
 * the argument; this plugin re-codes them as BAD_USER_INPUT with `extensions.field` set to the
 * argument (`tags[1]`, `port`), and a message that starts with it, like every other input error.
 */

// Values of these arguments are never echoed, even when their type is wrong.
const SECRET_ARGUMENTS = /password|privatekey|passphrase|secret|token/i

interface Usage {
  readonly argument: string
  readonly path: string
}

/** Where each variable and each literal value node is used: the argument (and path inside it). */
const usages = (document: DocumentNode) => {
  const byVariable = new Map<string, Usage>()
  const byNode = new Map<ASTNode, Usage>()
  const walk = (node: ValueNode, argument: string, path: string) => {
    byNode.set(node, { argument, path })
    if (node.kind === Kind.VARIABLE && !byVariable.has(node.name.value)) byVariable.set(node.name.value, { argument, path })
    if (node.kind === Kind.LIST) node.values.forEach((v, i) => walk(v, argument, `${path}[${i}]`))
    if (node.kind === Kind.OBJECT) for (const f of node.fields) walk(f.value, argument, `${path}.${f.name.value}`)
  }
  visit(document, {
    Argument: (node: ArgumentNode) => {
      walk(node.value, node.name.value, node.name.value)
      return false
    }
  })
  return { byVariable, byNode }
}

const cache = new WeakMap<DocumentNode, ReturnType<typeof usages>>()
const usagesOf = (document: DocumentNode) => {
  let found = cache.get(document)
  if (!found) cache.set(document, (found = usages(document)))
  return found
}

const recoded = (error: GraphQLError, field: string, reason: string): GraphQLError =>
  new GraphQLError(`${field}: ${SECRET_ARGUMENTS.test(field) ? 'has the wrong type or shape' : reason}`, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT', field, http: undefined }
  })

/** The argument an error is about and the reason, or null for errors that are not about input. */
const locate = (error: GraphQLError, document: DocumentNode): { field: string; reason: string } | null => {
  const { byVariable, byNode } = usagesOf(document)
  const m = error.message
  let match = /^Field "[^"]+" argument "([^"]+)" of type "[^"]+" is required, but it was not provided\.$/.exec(m)
  if (match) return { field: match[1]!, reason: 'is required' }
  match = /^Unknown argument "([^"]+)" on field/.exec(m)
  if (match) return { field: match[1]!, reason: 'is not an argument of this field' }
  const variable = (name: string, suffix = '') => (byVariable.get(name)?.path ?? name) + suffix
  match = /^Variable "\$([^"]+)" got invalid value [\s\S]*?(?: at "([^"]+)")?; ([\s\S]*)$/.exec(m)
  if (match) return { field: variable(match[1]!, match[2]?.slice(match[1]!.length)), reason: match[3]! }
  match = /^Variable "\$([^"]+)" of required type "[^"]+" was not provided\.$/.exec(m)
  if (match) return { field: variable(match[1]!), reason: 'is required' }
  match = /^Variable "\$([^"]+)" of non-null type "[^"]+" must not be null\.$/.exec(m)
  if (match) return { field: variable(match[1]!), reason: 'must not be null' }
  match = /^Variable "\$([^"]+)" of type "[^"]+" used in position expecting type "([^"]+)"\.$/.exec(m)
  if (match) return { field: variable(match[1]!), reason: `must be of type ${match[2]}` }
  for (const node of error.nodes ?? []) {
    const usage = byNode.get(node)
    if (usage) return { field: usage.path, reason: m }
  }
  return null
}

export const recodeInputError = (error: GraphQLError, document: DocumentNode): GraphQLError => {
  if (error.extensions?.code === 'BAD_USER_INPUT' && error.extensions.field) return error
  if (error.path && error.path.length > 0) return error
  const found = locate(error, document)
  return found ? recoded(error, found.field, found.reason) : error
}

/**
 * Text no argument may carry: a NUL or half a UTF-16 surrogate pair, which PostgreSQL cannot
 * store or even compare with. Checked once for every argument, literal or variable, before
 * anything runs, so no query reaches the database with it and no command is decided on it.
 */
export const unusableText = (document: DocumentNode, variables: Readonly<Record<string, unknown>> | null | undefined): ExecutionResult | null => {
  const { byVariable, byNode } = usagesOf(document)
  for (const [node, usage] of byNode) {
    if (node.kind === Kind.STRING && unstorableTextAt(node.value) !== undefined) return refusal(usage.path)
  }
  for (const [name, usage] of byVariable) {
    const at = unstorableTextAt(variables?.[name])
    if (at !== undefined) return refusal(at === 'value' ? usage.path : `${usage.path}${at.startsWith('[') ? '' : '.'}${at}`)
  }
  return null
}

/** Variable coercion fails before execution starts: no data, errors without a path, recoded. */
export const recodeInputErrors = (result: ExecutionResult, document: DocumentNode): ExecutionResult =>
  result.errors && !result.data ? { ...result, errors: result.errors.map((e) => recodeInputError(e, document)) } : result

const refusal = (field: string): ExecutionResult => ({
  errors: [badInput(field, 'must not contain a NUL character or half of a UTF-16 surrogate pair')]
})

export const useInputErrors = (): Plugin => ({
  onValidate: ({ params }) => ({ result, setResult }) => {
    if (result.length > 0) setResult(result.map((e) => recodeInputError(e, params.documentAST)))
  },
  onSubscribe: ({ args, setResultAndStopExecution }) => {
    const refused = unusableText(args.document, args.variableValues)
    if (refused) setResultAndStopExecution(refused)
  },
  onExecute: ({ args, setResultAndStopExecution }) => {
    const refused = unusableText(args.document, args.variableValues)
    if (refused) return void setResultAndStopExecution(refused)
    return {
      onExecuteDone: ({ result, setResult }) => {
        if ('errors' in result && result.errors && !result.data) setResult(recodeInputErrors(result, args.document))
      }
    }
  }
})
