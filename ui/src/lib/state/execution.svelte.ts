import { ActionKey, withKey, type GraphQLClient } from '../api/client.ts'
import { CANCEL_EXECUTION, EXECUTION_DETAIL, EXECUTION_UPDATED, RERUN_EXECUTION } from '../api/queries.ts'
import type { Execution } from '../api/types.ts'
import type { LiveLink } from './live.svelte.ts'

/** One execution, kept current by the executionUpdated subscription while it is not finished. */
export class ExecutionState {
  execution = $state.raw<Execution | null>(null)
  missing = $state(false)
  error = $state<unknown>(null)
  #stop: (() => void) | null = null
  #closed = false
  #rerun = new ActionKey()

  constructor(
    private readonly client: GraphQLClient,
    private readonly live: Pick<LiveLink, 'subscribe'>,
    readonly id: string
  ) {}

  get finished(): boolean {
    const s = this.execution?.status
    return s === 'SUCCEEDED' || s === 'FAILED' || s === 'CANCELLED'
  }

  async start(): Promise<void> {
    try {
      const data = await this.client.request<{ execution: Execution | null }>(EXECUTION_DETAIL, { id: this.id })
      this.#accept(data.execution)
      this.missing = data.execution === null
    } catch (error) {
      this.error = error
    }
    // The page may have been left while the first answer was on its way.
    if (!this.#closed && !this.missing && !this.finished) {
      this.#stop = this.live.subscribe<{ executionUpdated: Execution }>(EXECUTION_UPDATED, { id: this.id }, {
        next: (data) => this.#accept(data.executionUpdated),
        error: (error) => (this.error = error)
      })
    }
  }

  close(): void {
    this.#closed = true
    this.#stop?.()
    this.#stop = null
  }

  async cancel(): Promise<void> {
    await this.client.request(CANCEL_EXECUTION, { id: this.id })
  }

  /** A new execution of the same job version on the targets that did not succeed; its id. */
  async rerun(onlyFailed = true): Promise<string> {
    // A second press after a lost answer must not start a second re-run on production targets.
    const data = await this.client.request<{ rerunExecution: { id: string } }>(RERUN_EXECUTION, ...withKey(this.#rerun, { id: this.id, onlyFailed }))
    this.#rerun.renew()
    return data.rerunExecution.id
  }

  #accept(execution: Execution | null): void {
    if (!execution) return
    this.execution = execution
    this.error = null
    if (this.finished) this.close()
  }
}
