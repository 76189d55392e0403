/**
 * Stream and subject names. A namespace lets several installations (or test runs) share one
 * NATS server without their streams' subjects overlapping: the default namespace `ops` gives the
 * design's `OPS_EVENTS` / `ops.evt.<aggregate>.<id>`.
 */
export interface BusNames {
  readonly namespace: string
  readonly eventsStream: string
  readonly logsStream: string
  readonly workStream: string
  /** `<ns>.evt.>` — everything the events stream holds. */
  readonly eventsFilter: string
  readonly eventSubject: (aggregate: string, id: string) => string
  readonly logSubject: (executionId: string, targetId: string) => string
  readonly logsFilter: string
  /** Core-NATS subject on which live copies of committed events are fanned out. */
  readonly committedSubject: string
}

const TOKEN = /^[A-Za-z0-9_-]+$/

/** A subject token must not contain `.`, `*`, `>` or whitespace; ids and kinds are checked. */
const token = (what: string, value: string): string => {
  if (!TOKEN.test(value)) throw new TypeError(`${what} ${JSON.stringify(value)} is not a valid subject token`)
  return value
}

export const busNames = (namespace = 'ops'): BusNames => {
  const ns = token('namespace', namespace).toLowerCase()
  const upper = ns.toUpperCase()
  return {
    namespace: ns,
    eventsStream: `${upper}_EVENTS`,
    logsStream: `${upper}_LOGS`,
    workStream: `${upper}_WORK`,
    eventsFilter: `${ns}.evt.>`,
    eventSubject: (aggregate, id) => `${ns}.evt.${token('aggregate', aggregate)}.${token('id', id)}`,
    logSubject: (executionId, targetId) => `${ns}.log.${token('execution id', executionId)}.${token('target id', targetId)}`,
    logsFilter: `${ns}.log.>`,
    committedSubject: `${ns}.committed`
  }
}
