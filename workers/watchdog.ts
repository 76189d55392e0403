import { Effect } from 'effect'
import { watchAbandonedWork, workItemExists, workSubject } from '../bus/index.ts'
import { reportOnExecution } from '../commands/executions.ts'
import type { CommandContext } from '../commands/handler.ts'
import { connectClient, tryAdvisoryLock } from '../projections/db.ts'
import { quietInFlightRuns } from '../projections/queries/stalled-runs.ts'
import { pause } from '../projections/wait.ts'
import type { Platform } from '../runtime/platform.ts'
import type { WorkOrder } from './dispatcher.ts'

const WATCHDOG_LOCK = 7_311_011

export interface WatchdogOptions {
  readonly platform: Platform
  readonly databaseUrl: string
  /** The work queue's ack wait: a run quiet for several of these with no work item is lost. */
  readonly ackWaitMs: number
  readonly intervalMs: number
  readonly log: (m: string) => void
  readonly signal: AbortSignal
}

const system = (commandId: string): CommandContext => ({
  commandId,
  actor: { kind: 'system', id: 'watchdog', name: 'watchdog' },
  now: new Date().toISOString(),
  awaitCommittedMs: 0
})

/**
 * No execution stays RUNNING forever. Two ways a target run gets lost: its work item was given
 * up by the server after too many deliveries (a poison item: reported through an advisory), or
 * it vanished from the queue without a final report. Either way the attempt is interrupted —
 * retried or failed per the run's policy — with a reason, as an event.
 */
export const runWatchdog = async (o: WatchdogOptions): Promise<void> => {
  const names = o.platform.eventLog.names
  const interrupt = (run: { executionId: string; targetId: string; attempt: number }, reason: string, commandId: string) =>
    o.platform.commands.runPromise(
      Effect.result(reportOnExecution({ type: 'InterruptTargetRun', ...run, reason, at: new Date().toISOString() }, system(commandId)))
    )
  const advisories = watchAbandonedWork(
    o.platform.nc,
    names,
    async (body) => {
      const order = JSON.parse(new TextDecoder().decode(body)) as WorkOrder
      o.log(`watchdog: work ${order.workId} was given up after repeated deliveries`)
      await interrupt(order, 'no worker could finish it: given up after repeated deliveries', `${order.workId}/abandoned`)
    },
    o.log
  )
  try {
    while (!o.signal.aborted) {
      const client = await connectClient(o.databaseUrl, 'opsconductor-watchdog').catch(() => null)
      try {
        const locked = client && (await tryAdvisoryLock(client, WATCHDOG_LOCK))
        while (locked && !o.signal.aborted) {
          for (const run of await quietInFlightRuns(client, o.ackWaitMs * 4)) {
            if (await workItemExists(o.platform.nc, names, workSubject(names, run.executionId, run.targetId))) continue
            o.log(`watchdog: run of ${run.targetId} in ${run.executionId} has no work item and no news since ${run.since.toISOString()}`)
            await interrupt(run, 'its work was lost (no worker holds it)', `watchdog/${run.executionId}/${run.targetId}/${run.attempt}`)
          }
          await pause(o.intervalMs, o.signal)
        }
      } catch (error) {
        o.log(`watchdog: ${error instanceof Error ? error.message : String(error)}`)
      } finally {
        await client?.end().catch(() => undefined)
      }
      await pause(o.intervalMs, o.signal)
    }
  } finally {
    advisories.close()
  }
}
