import { createMasker } from './masker.ts'
import type { OutputChunk, StepIo } from './types.ts'

/** Passes a step's output on as it arrives, masked, and counts the bytes the step wrote. */
export interface OutputSink {
  stdout(data: Buffer): void
  stderr(data: Buffer): void
  /** Flushes what the maskers held back; call once when the step's streams ended. */
  end(): void
  readonly bytes: number
}

export function outputSink(onOutput: (chunk: OutputChunk) => void, secrets: ReadonlyArray<string>): OutputSink {
  const maskers = { stdout: createMasker(secrets), stderr: createMasker(secrets) }
  let bytes = 0
  const emit = (stream: OutputChunk['stream'], data: Buffer) => {
    if (data.length > 0) onOutput({ stream, data })
  }
  const take = (stream: OutputChunk['stream']) => (data: Buffer) => {
    bytes += data.length
    emit(stream, maskers[stream].write(data))
  }
  return {
    stdout: take('stdout'),
    stderr: take('stderr'),
    end() {
      emit('stdout', maskers.stdout.end())
      emit('stderr', maskers.stderr.end())
    },
    get bytes() {
      return bytes
    }
  }
}

/**
 * To call after each piece of output a step's streams delivered: while the output taken so far
 * is not yet delivered onwards (`io.pressure`), the streams are paused, so a step printing
 * gigabytes waits for the bus instead of filling the worker's memory; SSH's flow control then
 * holds the remote process at its next write.
 */
export const backPressure = (io: StepIo, streams: ReadonlyArray<{ pause(): unknown; resume(): unknown }>): (() => void) => {
  let paused = false
  return () => {
    if (paused) return
    const wait = io.pressure?.()
    if (!wait) return
    paused = true
    for (const stream of streams) stream.pause()
    void wait.then(() => {
      paused = false
      for (const stream of streams) stream.resume()
    })
  }
}

/** Why a running step is being stopped; null while it runs on its own. */
export type StopReason = 'timeout' | 'cancel' | null

/**
 * Calls `stop` once, on abort or when the step's time is up. `timeoutSeconds` null: no limit.
 * Returns the reason getter and a disposer that must run when the step ends.
 */
export function watchStep(timeoutSeconds: number | null, signal: AbortSignal, stop: (reason: 'timeout' | 'cancel') => void): {
  reason: () => StopReason
  dispose: () => void
} {
  let reason: StopReason = null
  const fire = (why: 'timeout' | 'cancel') => {
    if (reason !== null) return
    reason = why
    stop(why)
  }
  const onAbort = () => fire('cancel')
  const timer = timeoutSeconds !== null && timeoutSeconds > 0 ? setTimeout(() => fire('timeout'), timeoutSeconds * 1000) : undefined
  signal.addEventListener('abort', onAbort, { once: true })
  if (signal.aborted) queueMicrotask(onAbort)
  return {
    reason: () => reason,
    dispose() {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
  }
}
