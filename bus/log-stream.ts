import { DeliverPolicy, jetstream, jetstreamManager, PubHeaders } from '@nats-io/jetstream'
import { ackedPublisherFor } from './acked-publisher.ts'
import type { NatsConnection } from './connection.ts'
import type { BusNames } from './names.ts'

export interface OutputChunkMessage {
  readonly executionId: string
  readonly targetId: string
  readonly attempt: number
  /** Per target run and attempt, from 1, without gaps: lets readers detect loss. */
  readonly seq: number
  readonly stream: 'stdout' | 'stderr'
  readonly stepIndex: number
  readonly data: Uint8Array
  /** Stream sequence on the bus (set when read). */
  readonly position?: number
}

const HEADER = {
  attempt: 'Ops-Attempt',
  seq: 'Ops-Seq',
  stream: 'Ops-Stream',
  step: 'Ops-Step'
} as const

/** Live output goes to the logs stream as raw bytes with its coordinates in headers (no base64, no JSON). */
export const publishOutput = async (nc: NatsConnection, names: BusNames, c: OutputChunkMessage): Promise<number> => {
  const ack = await ackedPublisherFor(nc).publish(names.logSubject(c.executionId, c.targetId), c.data, {
    [PubHeaders.MsgIdHdr]: `${c.executionId}:${c.targetId}:${c.attempt}:${c.seq}`,
    [HEADER.attempt]: String(c.attempt),
    [HEADER.seq]: String(c.seq),
    [HEADER.stream]: c.stream,
    [HEADER.step]: String(c.stepIndex)
  })
  return ack.seq
}

const parseSubject = (subject: string) => {
  const [, , executionId, targetId] = subject.split('.')
  return { executionId: executionId ?? '', targetId: targetId ?? '' }
}

/**
 * Output in bus order from `fromPosition`: of one target run (`targetId`) or of every target of
 * an execution, or of everything (`executionId` null: the log sink). Ordered consumer: no loss,
 * no duplicates, recreated on gaps.
 */
export async function* followOutput(
  nc: NatsConnection,
  names: BusNames,
  filter: { readonly executionId: string | null; readonly targetId: string | null; readonly fromPosition: number },
  signal: AbortSignal
): AsyncGenerator<OutputChunkMessage & { position: number }> {
  const subject = filter.executionId ? names.logSubject(filter.executionId, filter.targetId ?? '*') : names.logsFilter
  const consumer = await jetstream(nc).consumers.get(names.logsStream, {
    filter_subjects: subject,
    ...(filter.fromPosition <= 1 ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: filter.fromPosition })
  })
  const messages = await consumer.consume({ max_messages: 512 })
  const stop = () => void messages.close()
  signal.addEventListener('abort', stop, { once: true })
  try {
    for await (const m of messages) {
      const h = m.headers
      yield {
        ...parseSubject(m.subject),
        attempt: Number(h?.get(HEADER.attempt) ?? 1),
        seq: Number(h?.get(HEADER.seq) ?? 0),
        stream: h?.get(HEADER.stream) === 'stderr' ? 'stderr' : 'stdout',
        stepIndex: Number(h?.get(HEADER.step) ?? 0),
        data: m.data,
        position: m.seq
      }
    }
  } finally {
    signal.removeEventListener('abort', stop)
    await messages.close()
  }
}

/** The last sequence in the logs stream: everything published so far is at or below it. */
export const outputLastPosition = async (nc: NatsConnection, names: BusNames): Promise<number> => {
  const info = await (await jetstreamManager(nc)).streams.info(names.logsStream)
  return info.state.last_seq
}
