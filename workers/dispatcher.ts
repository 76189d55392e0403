import { enqueueWork, workSubject, type BusNames, type NatsConnection } from '../bus/index.ts'
import type { TargetRunDispatched } from '../domains/executions/index.ts'
import { runReactor } from '../projections/reactor.ts'

const DISPATCH_LOCK = 7_311_010

/** What a worker gets: enough to find everything else in the execution's stream. */
export interface WorkOrder {
  readonly executionId: string
  readonly targetId: string
  readonly attempt: number
  readonly workId: string
  readonly notBefore: string | null
}

/**
 * Turns committed `TargetRunDispatched` events into work items on the work queue. At-least-once:
 * a replay after a crash re-sends items with the same work id (deduplicated by the bus within
 * its window; beyond it the worker finds the attempt already taken and drops the item).
 */
/** Enqueues the work items for dispatch events (by whoever saw them first: deduplicated by work id). */
export const enqueueDispatched = async (nc: NatsConnection, names: BusNames, events: ReadonlyArray<{ readonly type: string; readonly data: unknown }>) => {
  const encoder = new TextEncoder()
  await Promise.all(
    events
      .filter((e) => e.type === 'TargetRunDispatched')
      .map((e) => {
        const d = e.data as TargetRunDispatched['data']
        const order: WorkOrder = { executionId: d.executionId, targetId: d.targetId, attempt: d.attempt, workId: d.workId, notBefore: d.notBefore }
        return enqueueWork(nc, workSubject(names, d.executionId, d.targetId), encoder.encode(JSON.stringify(order)), d.workId)
      })
  )
}

export const runDispatcher = (o: { databaseUrl: string; nc: NatsConnection; names: BusNames; log: (m: string) => void; signal: AbortSignal }) =>
  runReactor({
    name: 'dispatcher',
    lockId: DISPATCH_LOCK,
    types: ['TargetRunDispatched'],
    databaseUrl: o.databaseUrl,
    log: o.log,
    signal: o.signal,
    handle: (events) => enqueueDispatched(o.nc, o.names, events)
  })
