import { hostname } from 'node:os'
import { consumeWork, DEFAULT_WORK_QUEUE, provisionWorkQueue } from '../bus/index.ts'
import type { Platform } from '../runtime/platform.ts'
import { Cancellations } from './cancellations.ts'
import type { WorkOrder } from './dispatcher.ts'
import { createLocalExecutor, createSshExecutor, executorByConnection } from './executors/index.ts'
import type { WorkerDeps } from './run-context.ts'
import { runWorkOrder } from './target-run.ts'

export interface WorkerOptions {
  /** Target runs this process works on at once. */
  readonly slots: number
  readonly defaultStepTimeoutSeconds: number
  readonly replicas: number
  readonly ackWaitMs: number
  readonly log: (message: string, fields?: Record<string, unknown>) => void
}


const parseOrder = (data: Uint8Array): WorkOrder | null => {
  try {
    const o = JSON.parse(new TextDecoder().decode(data)) as WorkOrder
    return typeof o.executionId === 'string' && typeof o.targetId === 'string' && Number.isInteger(o.attempt) && typeof o.workId === 'string' ? o : null
  } catch {
    return null
  }
}

/**
 * A worker: takes work items from the shared durable consumer, `slots` at a time, runs each
 * target attempt and acknowledges it only when it is reported; heartbeats keep long runs from
 * being redelivered while the worker is alive.
 */
export const startWorker = async (platform: Platform, options: WorkerOptions) => {
  const names = platform.eventLog.names
  await provisionWorkQueue(platform.nc, names, options.replicas, { ...DEFAULT_WORK_QUEUE, ackWaitMs: options.ackWaitMs })
  const ssh = createSshExecutor()
  const deps: WorkerDeps = {
    workerId: `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    commands: platform.commands,
    nc: platform.nc,
    names,
    executor: executorByConnection({ SSH: ssh, LOCAL: createLocalExecutor() }),
    defaultStepTimeoutSeconds: options.defaultStepTimeoutSeconds,
    log: options.log
  }
  const cancellations = new Cancellations(platform.nc, names, platform.commands, (m) => options.log(m))
  const stop = new AbortController()
  const consuming = consumeWork(
    platform.nc,
    names,
    options.slots,
    async (item) => {
      const order = parseOrder(item.data)
      if (!order) {
        options.log('dropped a malformed work item')
        item.abandon('malformed work item')
        return
      }
      const tracked = cancellations.track(order.executionId)
      // Three heartbeats per ack wait: one lost heartbeat never costs the item.
      const heartbeat = setInterval(() => item.heartbeat(), Math.max(1_000, options.ackWaitMs / 3))
      try {
        const verdict = await runWorkOrder(order, item, deps, tracked.signal)
        if (verdict !== 'later') await item.done()
      } catch (error) {
        // NATS or PostgreSQL trouble: give it back; reports are idempotent, so a retry is safe.
        options.log('work item failed; retrying later', { workId: order.workId, error: error instanceof Error ? error.message : String(error) })
        item.retryLater(5_000)
      } finally {
        clearInterval(heartbeat)
        tracked.release()
      }
    },
    stop.signal
  )
  return {
    workerId: deps.workerId,
    stop: async () => {
      stop.abort()
      await consuming
      cancellations.close()
      await ssh.close()
    }
  }
}
