import { getDirective, isAsyncIterable, MapperKind, mapSchema } from '@graphql-tools/utils'
import { defaultFieldResolver, type GraphQLFieldConfig, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql'
import type { ApiContext, Role } from './context.ts'
import { apiError } from './errors.ts'

/**
 * Access control, declared in the SDL and enforced by one schema transform that wraps resolvers:
 *
 *   @auth(requires: ROLE)            on a field or an object type
 *   @auth(requires: ROLE, usersOnly: true)   also refuses API tokens (password, own sessions)
 *   @public                          on a root field anyone may call (login, refreshSession, logout)
 *
 * Root fields without a directive get the default of their root type (Query and Subscription:
 * VIEWER, Mutation: OPERATOR), so a new operation is never open by accident. A nested field
 * without a directive inherits the check of the root field that reached it.
 */
export const accessTypeDefs = /* GraphQL */ `
  enum Role { ADMIN OPERATOR VIEWER }
  directive @auth(requires: Role = VIEWER, usersOnly: Boolean = false) on FIELD_DEFINITION | OBJECT
  directive @public on FIELD_DEFINITION
`

export const ROLE_RANK: Readonly<Record<Role, number>> = { VIEWER: 1, OPERATOR: 2, ADMIN: 3 }

const ROOT_DEFAULTS: Readonly<Record<string, Role>> = { Query: 'VIEWER', Mutation: 'OPERATOR', Subscription: 'VIEWER' }

export type AccessRule = { readonly public: true } | { readonly public: false; readonly requires: Role; readonly usersOnly: boolean }

const ruleOf = (schema: GraphQLSchema, field: GraphQLFieldConfig<unknown, unknown>, typeName: string): AccessRule | null => {
  if (getDirective(schema, field, 'public')?.[0]) return { public: true }
  const own = getDirective(schema, field, 'auth')?.[0]
  const type = schema.getType(typeName)
  const inherited = own ?? (type ? getDirective(schema, type, 'auth')?.[0] : undefined)
  if (inherited) return { public: false, requires: inherited.requires as Role, usersOnly: inherited.usersOnly === true }
  const fallback = ROOT_DEFAULTS[typeName]
  return fallback ? { public: false, requires: fallback, usersOnly: false } : null
}

/** Throws UNAUTHENTICATED or FORBIDDEN unless the caller may use `field`. */
export const authorize = (context: ApiContext, rule: AccessRule, field: string): void => {
  if (rule.public) return
  const { principal } = context
  if (!principal)
    throw apiError('UNAUTHENTICATED', context.credentialsRejected ? 'the access token is invalid, expired or revoked' : 'authentication required')
  if (ROLE_RANK[principal.role] < ROLE_RANK[rule.requires])
    throw apiError('FORBIDDEN', `${field} requires the ${rule.requires} role`, { requires: rule.requires })
  if (rule.usersOnly && principal.kind !== 'user') throw apiError('FORBIDDEN', `${field} is for users, not API tokens`)
}

const guard = <F extends GraphQLFieldResolver<unknown, ApiContext>>(rule: AccessRule, field: string, inner: F): GraphQLFieldResolver<unknown, ApiContext> =>
  (source, args, context, info) => {
    authorize(context, rule, field)
    return inner(source, args, context, info)
  }

const stillAllowed = async (context: ApiContext, rule: AccessRule, field: string): Promise<boolean> => {
  const principal = await context.reidentify().catch(() => null)
  try {
    authorize({ ...context, principal, credentialsRejected: principal === null }, rule, field)
    return true
  } catch {
    return false
  }
}

/**
 * The events of a subscription for as long as its caller may still have them: every
 * `context.recheckMs` the credentials that started it are checked again, and once they expired,
 * were revoked, lost the role or belong to a disabled user, the stream ends (the client learns
 * why when it subscribes again).
 */
const untilAccessEnds = <T>(events: AsyncIterable<T>, allowed: () => Promise<boolean>, recheckMs: number): AsyncIterableIterator<T> => {
  const inner = events[Symbol.asyncIterator]()
  let ended = false
  let endNow: (() => void) | null = null
  const ending = new Promise<IteratorResult<T>>((resolve) => {
    endNow = () => resolve({ done: true, value: undefined })
  })
  const end = async (): Promise<IteratorResult<T>> => {
    if (!ended) {
      ended = true
      clearInterval(timer)
      endNow?.()
      await inner.return?.()
    }
    return { done: true, value: undefined }
  }
  const timer = setInterval(() => {
    void allowed().then((yes) => (yes ? undefined : end()))
  }, recheckMs)
  timer.unref()
  return {
    [Symbol.asyncIterator]() {
      return this
    },
    next: async () => {
      if (ended) return { done: true, value: undefined }
      const result = await Promise.race([inner.next(), ending])
      if (result.done) await end()
      return result
    },
    return: end,
    throw: async (error?: unknown) => {
      await end()
      throw error
    }
  }
}

const guardSubscription =
  (rule: AccessRule, field: string, inner: GraphQLFieldResolver<unknown, ApiContext>): GraphQLFieldResolver<unknown, ApiContext> =>
  async (source, args, context, info) => {
    authorize(context, rule, field)
    const events: unknown = await inner(source, args, context, info)
    return isAsyncIterable(events) ? untilAccessEnds(events, () => stillAllowed(context, rule, field), context.recheckMs) : events
  }

/** Every rule the schema declares, by `Type.field`; the authz test walks this against its own table. */
export const accessRules = (schema: GraphQLSchema): Map<string, AccessRule> => {
  const rules = new Map<string, AccessRule>()
  mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, name, typeName) => {
      const rule = ruleOf(schema, field, typeName)
      if (rule) rules.set(`${typeName}.${name}`, rule)
      return field
    }
  })
  return rules
}

export const applyAccessControl = (schema: GraphQLSchema): GraphQLSchema =>
  mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, name, typeName) => {
      const rule = ruleOf(schema, field, typeName)
      if (!rule || rule.public) return field
      const coordinate = `${typeName}.${name}`
      const resolve = guard(rule, coordinate, (field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, ApiContext>)
      // Subscriptions authorize when they start (subscribe) and again while they run; each event
      // goes through resolve.
      const subscribe = field.subscribe && guardSubscription(rule, coordinate, field.subscribe as GraphQLFieldResolver<unknown, ApiContext>)
      return { ...field, resolve, ...(subscribe ? { subscribe } : {}) } as GraphQLFieldConfig<unknown, ApiContext>
    }
  })
