import {
  BREAK,
  GraphQLError,
  visit,
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLOutputType,
  type SelectionSetNode,
  type ValidationContext
} from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { ApiContext } from '../context.ts'
import { apiError } from '../errors.ts'

/**
 * Query limits, as validation rules (cached per document by Yoga, so they cost nothing on repeat
 * queries): nesting depth, and an estimated cost where a paged field multiplies what it selects
 * by its page size. Introspection is for authenticated callers only (checked per request).
 */
// Data queries need at most 6 levels today; the standard introspection query (codegen tools) needs 14.
export const MAX_DEPTH = 15
export const MAX_COST = 50_000
// A page size given as a variable is unknown at validation time: assume the largest page.
const VARIABLE_PAGE = 500
const DEFAULT_PAGE = 50
const UNPAGED_LIST = 10

const limitError = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field: 'query', reason: 'QUERY_TOO_COMPLEX' } })

const pageSize = (node: FieldNode): number => {
  const first = node.arguments?.find((a) => a.name.value === 'first')
  if (!first) return DEFAULT_PAGE
  // Pages above the maximum are refused by the query itself, with a clearer message.
  if (first.value.kind === Kind.INT) return Math.min(VARIABLE_PAGE, Math.max(1, Number(first.value.value)))
  return VARIABLE_PAGE
}

const isConnection = (type: GraphQLOutputType): boolean => getNamedType(type).name.endsWith('Connection')

/** Depth and cost of a selection set, following fragments (cycles are another rule's error). */
const measure = (context: ValidationContext) => {
  const fragments = new Map<string, FragmentDefinitionNode>(
    context.getDocument().definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : []))
  )
  const walk = (set: SelectionSetNode, type: GraphQLOutputType | null, depth: number, seen: Set<string>): { depth: number; cost: number } => {
    let maxDepth = depth
    let cost = 0
    const named = type ? getNamedType(type) : null
    const fields = named && (isObjectType(named) || isInterfaceType(named)) ? named.getFields() : {}
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const fieldType = fields[selection.name.value]?.type ?? null
        if (!selection.selectionSet) {
          cost += 1
          continue
        }
        const inner = walk(selection.selectionSet, fieldType, depth + 1, seen)
        const nullable = fieldType ? getNullableType(fieldType) : null
        const factor = fieldType && isConnection(fieldType) ? pageSize(selection) : nullable && isListType(nullable) ? UNPAGED_LIST : 1
        cost += 1 + inner.cost * factor
        maxDepth = Math.max(maxDepth, inner.depth)
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const inner = walk(selection.selectionSet, type, depth, seen)
        cost += inner.cost
        maxDepth = Math.max(maxDepth, inner.depth)
      } else {
        const fragment = fragments.get(selection.name.value)
        if (!fragment || seen.has(fragment.name.value)) continue
        const inner = walk(fragment.selectionSet, type, depth, new Set(seen).add(fragment.name.value))
        cost += inner.cost
        maxDepth = Math.max(maxDepth, inner.depth)
      }
    }
    return { depth: maxDepth, cost }
  }
  return walk
}

export const queryLimitsRule = (context: ValidationContext): ASTVisitor => ({
  OperationDefinition: (operation) => {
    const schema = context.getSchema()
    const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType()
    const { depth, cost } = measure(context)(operation.selectionSet, root ?? null, 0, new Set())
    if (depth > MAX_DEPTH) context.reportError(limitError(`query: is nested ${depth} levels deep; at most ${MAX_DEPTH} are allowed`))
    if (cost > MAX_COST) context.reportError(limitError(`query: would cost about ${cost} (at most ${MAX_COST}); ask for smaller pages or fewer fields`))
    return false
  }
})

const INTROSPECTION_FIELDS = new Set(['__schema', '__type'])
const introspects = new WeakMap<DocumentNode, boolean>()

export const usesIntrospection = (document: DocumentNode): boolean => {
  let found = introspects.get(document)
  if (found === undefined) {
    let seen = false
    visit(document, {
      Field: (node) => {
        if (!INTROSPECTION_FIELDS.has(node.name.value)) return undefined
        seen = true
        return BREAK
      }
    })
    introspects.set(document, (found = seen))
  }
  return found
}

export const useQueryLimits = (): Plugin<ApiContext> => ({
  onValidate: ({ addValidationRule }) => {
    addValidationRule(queryLimitsRule)
  },
  onExecute: ({ args, setResultAndStopExecution }) => {
    if (!args.contextValue.principal && usesIntrospection(args.document))
      setResultAndStopExecution({ errors: [apiError('UNAUTHENTICATED', 'introspection is open to authenticated callers only')] })
  }
})
