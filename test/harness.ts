import { Effect } from 'effect'
import { committedPublisher, deleteStreams } from '../bus/index.ts'
import { handleCommand, type Aggregate, type CommandContext } from '../commands/handler.ts'
import type { DomainEvent } from '../domains/shared/index.ts'
import { inlineProjections, sinkSideEffects } from '../projections/all.ts'
import { runSink } from '../projections/sink.ts'
import { createLogger } from '../runtime/logger.ts'
import { openPlatform, type Platform } from '../runtime/platform.ts'
import { freshDatabase, uniqueNamespace } from './support.ts'

export interface Harness {
  readonly platform: Platform
  readonly databaseUrl: string
  readonly namespace: string
  readonly natsUrl: string
  /** Every line the platform logged, for secret-leak checks. */
  readonly logs: ReadonlyArray<string>
  /** A second, independent writer (own cache and connections), like another api replica. */
  readonly replica: () => Promise<Platform>
  readonly startSink: () => AbortController
  /** Stops every sink this harness started: commands are still accepted, nothing becomes durable. */
  readonly stopSinks: () => void
  /** Dispatcher, job slots, output sink and `workers` in-process workers: everything that runs jobs. */
  readonly startExecution: (workers?: number, slots?: number) => Promise<void>
  readonly run: <C, E extends DomainEvent, S>(p: Platform, aggregate: Aggregate<C, E, S>, command: C, context?: Partial<CommandContext>) => ReturnType<typeof runCommand>
  readonly close: () => Promise<void>
}

export const systemActor = { kind: 'system' as const, id: 'test', name: 'test' }

export const context = (overrides: Partial<CommandContext> = {}): CommandContext => ({
  commandId: crypto.randomUUID(),
  actor: systemActor,
  now: new Date().toISOString(),
  ...overrides
})

const runCommand = <C, E extends DomainEvent, S>(p: Platform, aggregate: Aggregate<C, E, S>, command: C, ctx: Partial<CommandContext> = {}) =>
  p.commands.runPromise(Effect.result(handleCommand(aggregate, command, context(ctx))))

/** A platform on real NATS and PostgreSQL with its own database and stream namespace. */
export const openHarness = async (options: { sink?: boolean } = {}): Promise<Harness> => {
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
  const db = await freshDatabase('core')
  const namespace = uniqueNamespace()
  // Every log line is kept so tests can assert that no secret was ever logged.
  const logs: string[] = []
  const logger = createLogger('debug', 'test', { write: (line: string) => void logs.push(line) })
  // Small live-output bound: JetStream reserves a stream's max_bytes on the server, and test runs share it.
  const settings = { natsUrl, databaseUrl: db.url, namespace, role: 'test', masterKey: Buffer.alloc(32, 7), logsMaxBytes: 256 * 1024 ** 2 }
  const platform = await openPlatform(settings, logger)
  const others: Platform[] = []
  const sinks: AbortController[] = []
  const roles: Array<{ stop: () => Promise<void> }> = []
  const startSink = () => {
    const controller = new AbortController()
    sinks.push(controller)
    void runSink({
      databaseUrl: db.url,
      eventLog: platform.eventLog,
      projections: inlineProjections,
      sideEffects: sinkSideEffects,
      log: (m) => logger.info(m),
      signal: controller.signal,
      onCommitted: committedPublisher(platform.nc, platform.eventLog.names.committedSubject, (m) => logger.warn(m))
    })
    return controller
  }
  if (options.sink !== false) startSink()
  return {
    platform,
    databaseUrl: db.url,
    namespace,
    natsUrl,
    logs,
    replica: async () => {
      const p = await openPlatform({ ...settings, role: 'test-replica' }, logger)
      others.push(p)
      return p
    },
    startSink,
    stopSinks: () => {
      for (const sink of sinks) sink.abort()
    },
    startExecution: async (workers = 1, slots = 16) => {
      const { startDispatcher, startJobSlots, startOutputSink, startWorkerRole } = await import('../runtime/execution-roles.ts')
      roles.push(startDispatcher(platform, db.url, logger), startJobSlots(platform, db.url, logger), startOutputSink(platform, db.url, logger))
      for (let i = 0; i < workers; i++) {
        const p = i === 0 ? platform : await openPlatform({ ...settings, role: `test-worker-${i}` }, logger)
        if (p !== platform) others.push(p)
        roles.push(await startWorkerRole(p, { slots, stepTimeoutSeconds: 300, replicas: 1, ackWaitSeconds: 3 }, logger))
      }
    },
    run: runCommand,
    close: async () => {
      for (const r of roles.reverse()) await r.stop()
      for (const s of sinks) s.abort()
      for (const p of others) await p.close()
      await deleteStreams(platform.nc, platform.eventLog.names).catch(() => undefined)
      await platform.close()
      await db.drop()
    }
  }
}
