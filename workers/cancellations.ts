import { Effect } from 'effect'
import { subscribeCommitted, type BusNames, type NatsConnection } from '../bus/index.ts'
import { refreshState } from '../commands/handler.ts'
import { executions } from '../domains/executions/index.ts'
import type { CommandServices } from '../runtime/platform.ts'
import type { ManagedRuntime } from 'effect'

/**
 * Which target runs this worker has in flight, per execution, and the switch to stop them.
 * A cancel arrives through the committed-event feed at once; a poll of each execution's stream
 * every few seconds covers a missed feed frame, so a cancel is never lost.
 */
export class Cancellations {
  private readonly running = new Map<string, Set<AbortController>>()
  private readonly poll: NodeJS.Timeout
  private readonly feed: { close: () => void }

  constructor(
    nc: NatsConnection,
    names: BusNames,
    private readonly commands: ManagedRuntime.ManagedRuntime<CommandServices, never>,
    log: (m: string) => void,
    pollMs = 3_000
  ) {
    this.feed = subscribeCommitted(
      nc,
      names.committedSubject,
      (frame) => {
        for (const e of frame.events ?? []) {
          if (e.type === 'ExecutionCancelRequested') this.cancel((e.data as { executionId: string }).executionId)
        }
      },
      log
    )
    this.poll = setInterval(() => void this.check(), pollMs)
    this.poll.unref()
  }

  /** Registers a run; the returned signal aborts when its execution is cancelled. */
  track(executionId: string): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController()
    let set = this.running.get(executionId)
    if (!set) this.running.set(executionId, (set = new Set()))
    set.add(controller)
    return {
      signal: controller.signal,
      release: () => {
        set.delete(controller)
        if (set.size === 0) this.running.delete(executionId)
      }
    }
  }

  close(): void {
    clearInterval(this.poll)
    this.feed.close()
  }

  private cancel(executionId: string): void {
    for (const c of this.running.get(executionId) ?? []) c.abort()
  }

  private async check(): Promise<void> {
    for (const executionId of [...this.running.keys()]) {
      const state = await this.commands.runPromise(Effect.result(refreshState(executions, executionId)))
      if (state._tag === 'Success' && state.success.status !== 'absent' && state.success.cancelRequested) this.cancel(executionId)
    }
  }
}
