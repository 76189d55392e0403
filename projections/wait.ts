/** Resolves after `ms`, or at once when `signal` aborts; leaves no listener behind either way. */
export const pause = (ms: number, signal: AbortSignal, wake?: (resume: () => void) => void): Promise<void> =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    wake?.(done)
  })
