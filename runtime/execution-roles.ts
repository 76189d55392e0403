import { runOutputSink } from '../projections/output-sink.ts'
import { runDispatcher } from '../workers/dispatcher.ts'
import { runJobSlots } from '../workers/job-slots.ts'
import { runWatchdog } from '../workers/watchdog.ts'
import { startWorker } from '../workers/worker.ts'
import type { Logger } from './logger.ts'
import type { Platform } from './platform.ts'
import type { Role } from './roles.ts'

const background = (name: string, run: (signal: AbortSignal) => Promise<void>, logger: Logger): Role => {
  const controller = new AbortController()
  const done = run(controller.signal).catch((error: unknown) => logger.error({ err: error instanceof Error ? error.message : String(error) }, `${name} stopped`))
  return {
    name,
    stop: async () => {
      controller.abort()
      await done
    }
  }
}

/** Turns dispatch decisions into work items (one active instance; others stand by). */
export const startDispatcher = (platform: Platform, databaseUrl: string, logger: Logger): Role =>
  background('dispatcher', (signal) => runDispatcher({ databaseUrl, nc: platform.nc, names: platform.eventLog.names, log: (m) => logger.info(m), signal }), logger)

/** Releases job concurrency slots and starts queued runs when a slot comes free (one active instance; others stand by). */
export const startJobSlots = (platform: Platform, databaseUrl: string, logger: Logger): Role =>
  background('job-slots', (signal) => runJobSlots({ platform, databaseUrl, log: (m) => logger.info(m), signal }), logger)

/** Copies live output into PostgreSQL for range reads (one active instance; others stand by). */
export const startOutputSink = (platform: Platform, databaseUrl: string, logger: Logger): Role =>
  background('output-sink', (signal) => runOutputSink({ databaseUrl, nc: platform.nc, names: platform.eventLog.names, log: (m) => logger.info(m), signal }), logger)

export const startWorkerRole = async (
  platform: Platform,
  options: { readonly slots: number; readonly stepTimeoutSeconds: number; readonly replicas: number; readonly ackWaitSeconds: number },
  logger: Logger
): Promise<Role> => {
  const worker = await startWorker(platform, {
    slots: options.slots,
    defaultStepTimeoutSeconds: options.stepTimeoutSeconds,
    replicas: options.replicas,
    ackWaitMs: options.ackWaitSeconds * 1000,
    log: (message, fields) => logger.info(fields ?? {}, message)
  })
  logger.info({ workerId: worker.workerId, slots: options.slots }, 'worker ready')
  return { name: 'worker', stop: worker.stop }
}

/** Turns lost target runs into interruptions (retry or failure), so no execution hangs forever. */
export const startWatchdog = (platform: Platform, databaseUrl: string, options: { readonly ackWaitSeconds: number; readonly intervalMs?: number }, logger: Logger): Role =>
  background(
    'watchdog',
    (signal) => runWatchdog({ platform, databaseUrl, ackWaitMs: options.ackWaitSeconds * 1000, intervalMs: options.intervalMs ?? 30_000, log: (m) => logger.warn(m), signal }),
    logger
  )
