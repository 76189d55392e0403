import { createMasker } from './masker.ts'
import type { OutputChunk } from './types.ts'

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
