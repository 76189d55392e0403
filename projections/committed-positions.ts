import { connectClient, type Client } from './db.ts'
import { COMMITTED_CHANNEL, SINK_CHECKPOINT, parseCommittedNotice } from './sink.ts'

interface Waiter {
  readonly position: number
  readonly resolve: (reached: boolean) => void
  readonly timer: NodeJS.Timeout
}

/**
 * Follows how far the sink has committed (LISTEN on the channel the sink notifies in its batch
 * transaction, so a notification always means "durable in PostgreSQL"). Lets a command wait,
 * bounded, until its own events are readable: read-your-writes.
 */
export class CommittedPositions {
  private position = 0
  private waiters: Waiter[] = []
  private client: Client | undefined
  private closed = false

  constructor(private readonly databaseUrl: string, private readonly log: (m: string) => void) {}

  get current(): number {
    return this.position
  }

  async start(): Promise<void> {
    const client = await connectClient(this.databaseUrl, 'opsconductor-committed')
    client.on('notification', (n) => {
      if (n.channel === COMMITTED_CHANNEL) this.advance(parseCommittedNotice(n.payload).position)
    })
    client.on('error', (error) => {
      if (this.closed || this.client !== client) return
      this.log(`committed-positions: ${error.message}; reconnecting`)
      this.client = undefined
      void client.end().catch(() => undefined)
      void this.reconnect()
    })
    try {
      await client.query(`LISTEN ${COMMITTED_CHANNEL}`)
      this.client = client
      await this.refresh()
    } catch (error) {
      await client.end().catch(() => undefined)
      throw error
    }
  }

  /**
   * Keeps trying until PostgreSQL answers again (a restart can take a while): until then every
   * wait runs to its bound, so commands answer "accepted, not yet durable" rather than hang.
   */
  private async reconnect(): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** attempt)).unref())
      if (this.closed) return
      try {
        await this.start()
        this.log('committed-positions: listening again')
        return
      } catch (error) {
        this.log(`committed-positions: ${(error as Error).message}; trying again`)
      }
    }
  }

  /** Re-reads the checkpoint (after a reconnect, or when a wait is about to give up). */
  async refresh(): Promise<void> {
    const { rows } = await (this.client ?? (await this.pending())).query<{ position: number }>(
      'SELECT position FROM checkpoints WHERE name = $1',
      [SINK_CHECKPOINT]
    )
    this.advance(rows[0]?.position ?? 0)
  }

  /** Resolves true once the sink has committed `position`, false after `timeoutMs`. */
  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.position >= position) return true
    const reached = await new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        position,
        resolve,
        // Cleared when the position is reached: thousands of waits a second must not leave
        // thousands of live timers, each filtering the waiter list when it finally fires.
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter)
          resolve(false)
        }, timeoutMs).unref()
      }
      this.waiters.push(waiter)
    })
    if (reached) return true
    await this.refresh().catch(() => undefined)
    return this.position >= position
  }

  async stop(): Promise<void> {
    this.closed = true
    await this.client?.end().catch(() => undefined)
  }

  private advance(position: number): void {
    if (!(position > this.position)) return
    this.position = position
    if (this.waiters.length === 0) return
    const still: typeof this.waiters = []
    for (const w of this.waiters) {
      if (w.position > position) still.push(w)
      else {
        clearTimeout(w.timer)
        w.resolve(true)
      }
    }
    this.waiters = still
  }

  private async pending(): Promise<Client> {
    throw new Error('committed-positions: not connected to PostgreSQL')
  }
}
