import { publishOutput, type BusNames, type NatsConnection } from '../bus/index.ts'
import type { OutputChunk } from './executors/index.ts'

const MAX_CHUNK = 32 * 1024
// Lines that arrive close together travel as one message: fewer messages, and still well under
// the live-output latency a person notices.
const COALESCE_MS = 15

// Output published but not yet acknowledged: above HIGH the step's streams are paused until it
// falls below LOW (a step printing gigabytes must not fill the worker's memory).
const HIGH_WATER_BYTES = 8 * 1024 * 1024
const LOW_WATER_BYTES = 2 * 1024 * 1024

export interface OutputWriter {
  readonly write: (chunk: OutputChunk, stepIndex: number) => void
  /** A promise while too much output waits for the bus (see StepIo.pressure), else null. */
  readonly pressure: () => Promise<void> | null
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
  let unacknowledged = 0
  let relieved: Array<() => void> = []

  const acknowledged = (bytes: number) => {
    unacknowledged -= bytes
    if (unacknowledged > LOW_WATER_BYTES || relieved.length === 0) return
    const waiting = relieved
    relieved = []
    for (const resume of waiting) resume()
  }
  const send = (stream: 'stdout' | 'stderr', stepIndex: number, data: Buffer) => {
    for (let offset = 0; offset < data.length; offset += MAX_CHUNK) {
      const piece = data.subarray(offset, offset + MAX_CHUNK)
      unacknowledged += piece.length
      inFlight.push(
        publishOutput(nc, names, { ...run, seq: ++seq, stream, stepIndex, data: piece })
          .catch(onError)
          .finally(() => acknowledged(piece.length))
      )
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
    pressure: () => (unacknowledged + (buffered?.bytes ?? 0) < HIGH_WATER_BYTES ? null : new Promise<void>((resume) => relieved.push(resume))),
    flush: async () => {
      drain()
      await Promise.all(inFlight)
      inFlight = []
    }
  }
}
