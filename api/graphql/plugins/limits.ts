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
  type GraphQLField,
  type GraphQLOutputType,
  type SelectionSetNode,
  type ValidationContext
} from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { ApiContext } from '../context.ts'
import { apiError } from '../errors.ts'
// Connections refuse pages above this themselves, with a clearer message than the cost limit's.
import { MAX_PAGE } from '../../../projections/queries/paging.ts'

/**
 * Query limits, as validation rules (cached per document by Yoga, so they cost nothing on repeat
 * queries): nesting depth, and an estimated cost, the number of fields the answer would hold,
 * where a paged or windowed list multiplies what it selects by its page size (job output is
 * bounded per answer where it is read, see OutputBudget). Introspection is for authenticated callers only (checked per request).
 */
// Data queries need at most 6 levels today; the standard introspection query (codegen tools) needs 14.
export const MAX_DEPTH = 15
// About the fields of 50 executions × 1,000 target runs × 4; beyond that, ask for smaller windows.
export const MAX_COST = 250_000
/** The largest window (`first`) of a list that is not a Connection, e.g. Execution.targets. */
export const MAX_LIST_WINDOW = 10_000
const DEFAULT_PAGE = 50
const UNPAGED_LIST = 10
// A windowed list asked for whole (Execution.targets without `first`) answers every item, up to
// the window's maximum; most executions have far fewer targets, so it is costed as a large one.
const WHOLE_LIST = 1_000

const limitError = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field: 'query', reason: 'QUERY_TOO_COMPLEX' } })

type FieldDef = GraphQLField<unknown, unknown> | undefined

/**
 * What a query asks for in an integer argument: its literal value, else the argument's default.
 * A variable is unknown at validation time (the rule is cached per document), so it counts as
 * the largest value the field accepts.
 */
const intArgument = (node: FieldNode, def: FieldDef, name: string, largest: number): number | null => {
  const given = node.arguments?.find((a) => a.name.value === name)
  if (given) return given.value.kind === Kind.INT ? Number(given.value.value) : largest
  const declared = def?.args.find((a) => a.name === name)?.defaultValue
  return typeof declared === 'number' ? declared : null
}

const isConnection = (type: GraphQLOutputType): boolean => getNamedType(type).name.endsWith('Connection')

/** How many times a field's selection is answered: its page size, list window, or 1. */
const multiplicity = (node: FieldNode, def: FieldDef, parent: GraphQLOutputType | null): number => {
  if (!def) return 1
  // A connection's edges are its page, already counted on the connection field.
  if (parent && isConnection(parent)) return 1
  if (isConnection(def.type)) return Math.min(MAX_PAGE, Math.max(1, intArgument(node, def, 'first', MAX_PAGE) ?? DEFAULT_PAGE))
  if (!isListType(getNullableType(def.type))) return 1
  const window = intArgument(node, def, 'first', MAX_LIST_WINDOW)
  if (window !== null) return Math.min(MAX_LIST_WINDOW, Math.max(1, window))
  return def.args.some((a) => a.name === 'first') ? WHOLE_LIST : UNPAGED_LIST
}

/** Depth and cost of a selection set, following fragments (cycles are another rule's error). */
const measure = (context: ValidationContext) => {
  const fragments = new Map<string, FragmentDefinitionNode>(
    context.getDocument().definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : []))
  )
  type Measure = { depth: number; cost: number }
  const walk = (set: SelectionSetNode, type: GraphQLOutputType | null, depth: number, seen: Set<string>): Measure => {
    const total: Measure = { depth, cost: 0 }
    const add = (inner: Measure, factor = 1) => {
      total.cost += inner.cost * factor
      total.depth = Math.max(total.depth, inner.depth)
    }
    const named = type ? getNamedType(type) : null
    const fields = named && (isObjectType(named) || isInterfaceType(named)) ? named.getFields() : {}
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const def = fields[selection.name.value]
        total.cost += 1
        if (selection.selectionSet) add(walk(selection.selectionSet, def?.type ?? null, depth + 1, seen), multiplicity(selection, def, named))
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        add(walk(selection.selectionSet, type, depth, seen))
      } else {
        const fragment = fragments.get(selection.name.value)
        if (!fragment || seen.has(fragment.name.value)) continue
        add(walk(fragment.selectionSet, type, depth, new Set(seen).add(fragment.name.value)))
      }
    }
    return total
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
