import type { AuditEntry } from '../../../projections/audit-log.ts'
import { invalidTypeSelector } from '../../../projections/event-type-patterns.ts'
import { eventFeedFor } from '../../subscriptions/feed.ts'
import type { ApiContext } from '../context.ts'
import { badInput } from '../errors.ts'
import type { ApiModule } from '../module.ts'

const typeDefs = /* GraphQL */ `
  type Subscription {
    """
    Committed events, in log order, each exactly once. With \`after\` (a position, e.g. the last
    one you processed) it first replays every stored event past it, then continues live with no
    gap and no duplicate at the switch-over; without it, it starts at the current end of the log.
    Only events already committed (durable) in PostgreSQL are delivered, so a client may record
    a position as processed and resume from it after a disconnect. \`types\` takes exact event
    types or *-patterns (\`Execution*\`, \`*\`). Served over SSE and WebSocket (graphql-ws).
    """
    events(types: [String!], after: Int): AuditEntry! @auth(requires: VIEWER)
  }
`

interface EventsArgs {
  readonly types?: ReadonlyArray<string> | null
  readonly after?: number | null
}

const subscribe = (_: unknown, args: EventsArgs, context: ApiContext): AsyncIterableIterator<AuditEntry> => {
  const invalid = invalidTypeSelector(args.types ?? null)
  if (invalid) throw badInput('types', invalid)
  if (args.after != null && (!Number.isSafeInteger(args.after) || args.after < 0)) throw badInput('after', 'must be a position (0 or more)')
  return eventFeedFor(context.platform).subscribe({ types: args.types ?? null, after: args.after ?? null })
}

export const eventsModule: ApiModule = {
  typeDefs,
  resolvers: {
    Subscription: {
      events: { subscribe, resolve: (entry: AuditEntry) => entry }
    }
  }
}
