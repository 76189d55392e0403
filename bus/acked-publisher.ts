import { createInbox, headers as natsHeaders, type Msg } from '@nats-io/transport-node'
import type { NatsConnection } from './connection.ts'

/** JetStream refused the message; `code` is its API error code (10071: wrong last sequence…). */
export class PublishRefused extends Error {
  readonly _tag = 'PublishRefused'
  constructor(
    readonly code: number,
    description: string
  ) {
    super(description)
  }
}

export interface PubAck {
  readonly seq: number
  readonly duplicate: boolean
}

interface Waiting {
  readonly resolve: (ack: PubAck) => void
  readonly reject: (error: Error) => void
  readonly deadline: number
}

const decoder = new TextDecoder()
const SWEEP_EVERY_MS = 500

/**
 * Publish-with-acknowledgement to JetStream over one reply subscription per connection. The
 * client library's `js.publish` does the same through its request machinery, which per message
 * also arms a timer and builds an Error with a stack trace (to cancel the answered request):
 * measured here, twice the client CPU per publish. Deadlines are swept together instead.
 */
export class AckedPublisher {
  private readonly prefix = `${createInbox()}.`
  private readonly waiting = new Map<string, Waiting>()
  private next = 0
  private readonly sweeper: NodeJS.Timeout
  private readonly answers: { unsubscribe(): void }

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number
  ) {
    this.answers = nc.subscribe(`${this.prefix}*`, { callback: (_error, msg) => this.answer(msg) })
    this.sweeper = setInterval(() => this.sweep(), SWEEP_EVERY_MS).unref()
    void nc.closed().then(() => this.close())
  }

  /** Resolves with the stream sequence once JetStream has stored the message (or recognised its id). */
  publish(subject: string, body: Uint8Array, headerValues: Readonly<Record<string, string>>): Promise<PubAck> {
    return new Promise<PubAck>((resolve, reject) => {
      const token = (this.next++).toString(36)
      const h = natsHeaders()
      for (const [name, value] of Object.entries(headerValues)) h.set(name, value)
      this.waiting.set(token, { resolve, reject, deadline: Date.now() + this.timeoutMs })
      try {
        this.nc.publish(subject, body, { reply: this.prefix + token, headers: h })
      } catch (error) {
        this.waiting.delete(token)
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    })
  }

  close(): void {
    clearInterval(this.sweeper)
    if (!this.nc.isClosed()) this.answers.unsubscribe()
    for (const w of this.waiting.values()) w.reject(new Error('the NATS connection closed before JetStream answered'))
    this.waiting.clear()
  }

  private answer(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length)
    const waiter = this.waiting.get(token)
    if (!waiter) return // answered after its deadline
    this.waiting.delete(token)
    // No stream listens on the subject: the server answers with a 503 status and no body.
    if (msg.data.length === 0 && msg.headers?.code === 503) return waiter.reject(new PublishRefused(503, `no stream stores ${msg.subject}`))
    try {
      const ack = JSON.parse(decoder.decode(msg.data)) as { seq?: number; duplicate?: boolean; error?: { err_code?: number; code?: number; description?: string } }
      if (ack.error) return waiter.reject(new PublishRefused(ack.error.err_code ?? ack.error.code ?? 0, ack.error.description ?? 'refused'))
      if (typeof ack.seq !== 'number') return waiter.reject(new Error('JetStream answered without a sequence'))
      waiter.resolve({ seq: ack.seq, duplicate: ack.duplicate === true })
    } catch {
      waiter.reject(new Error('JetStream answered with something that is not an acknowledgement'))
    }
  }

  private sweep(): void {
    const now = Date.now()
    // Every wait has the same length, so insertion order is deadline order.
    for (const [token, w] of this.waiting) {
      if (w.deadline > now) break
      this.waiting.delete(token)
      w.reject(new Error(`JetStream did not acknowledge within ${this.timeoutMs} ms`))
    }
  }
}

const shared = new WeakMap<NatsConnection, AckedPublisher>()

// As js.publish's default here: past this, a publish counts as failed (the bus is unreachable).
const ACK_TIMEOUT_MS = 10_000

/** The connection's publisher (one reply subscription per connection), created on first use. */
export const ackedPublisherFor = (nc: NatsConnection): AckedPublisher => {
  let publisher = shared.get(nc)
  if (!publisher) shared.set(nc, (publisher = new AckedPublisher(nc, ACK_TIMEOUT_MS)))
  return publisher
}
