import { publishOutput, type BusNames, type NatsConnection } from '../bus/index.ts'
import type { OutputChunk } from './executors/index.ts'

const MAX_CHUNK = 32 * 1024
// Lines that arrive close together travel as one message: fewer messages, and still well under
// the live-output latency a person notices.
const COALESCE_MS = 15

export interface OutputWriter {
  readonly write: (chunk: OutputChunk, stepIndex: number) => void
  /** Publishes what is buffered and waits until the bus has acknowledged every chunk. */
  readonly flush: () => Promise<void>
}

/**
 * Streams one target run's output to the logs stream: numbered chunks (seq from 1, no gaps) in
 * order, each at most 32 KiB. Publishes are pipelined: ordering holds because one connection
 * delivers them in the order sent.
 */
export const createOutputWriter = (
  nc: NatsConnection,
  names: BusNames,
  run: { readonly executionId: string; readonly targetId: string; readonly attempt: number },
  onError: (error: unknown) => void
): OutputWriter => {
  let seq = 0
  let buffered: { stream: 'stdout' | 'stderr'; stepIndex: number; parts: Buffer[]; bytes: number } | null = null
  let timer: NodeJS.Timeout | undefined
  let inFlight: Promise<unknown>[] = []

  const send = (stream: 'stdout' | 'stderr', stepIndex: number, data: Buffer) => {
    for (let offset = 0; offset < data.length; offset += MAX_CHUNK) {
      const piece = data.subarray(offset, offset + MAX_CHUNK)
      inFlight.push(publishOutput(nc, names, { ...run, seq: ++seq, stream, stepIndex, data: piece }).catch(onError))
    }
    if (inFlight.length > 256) {
      const settled = inFlight
      inFlight = [Promise.all(settled)]
    }
  }
  const drain = () => {
    if (timer) clearTimeout(timer)
    timer = undefined
    if (!buffered) return
    const { stream, stepIndex, parts } = buffered
    buffered = null
    send(stream, stepIndex, Buffer.concat(parts))
  }
  return {
    write: (chunk, stepIndex) => {
      if (buffered && (buffered.stream !== chunk.stream || buffered.stepIndex !== stepIndex || buffered.bytes + chunk.data.length > MAX_CHUNK)) drain()
      if (!buffered) buffered = { stream: chunk.stream, stepIndex, parts: [], bytes: 0 }
      buffered.parts.push(chunk.data)
      buffered.bytes += chunk.data.length
      if (buffered.bytes >= MAX_CHUNK) drain()
      else timer ??= setTimeout(drain, COALESCE_MS)
    },
    flush: async () => {
      drain()
      await Promise.all(inFlight)
      inFlight = []
    }
  }
}
