import { describe, expect, it } from 'vitest'
import { backPressure } from './output.ts'
import type { StepIo } from './types.ts'

const stream = () => {
  const log: string[] = []
  return { log, pause: () => log.push('pause'), resume: () => log.push('resume') }
}

describe('backPressure', () => {
  it('pauses the step’s streams while its output waits for the bus, and resumes them after', async () => {
    let release: () => void = () => undefined
    let busy = false
    const io = { onOutput: () => undefined, signal: new AbortController().signal, pressure: () => (busy ? new Promise<void>((r) => (release = r)) : null) } satisfies StepIo
    const [out, err] = [stream(), stream()]
    const yieldToOutput = backPressure(io, [out, err])
    yieldToOutput()
    expect(out.log).toEqual([])
    busy = true
    yieldToOutput()
    yieldToOutput() // already paused: asks nothing again
    expect([out.log, err.log]).toEqual([['pause'], ['pause']])
    busy = false
    release()
    await Promise.resolve()
    expect([out.log, err.log]).toEqual([['pause', 'resume'], ['pause', 'resume']])
  })

  it('never pauses when nothing reports pressure', () => {
    const s = stream()
    const yieldToOutput = backPressure({ onOutput: () => undefined, signal: new AbortController().signal }, [s])
    for (let i = 0; i < 3; i++) yieldToOutput()
    expect(s.log).toEqual([])
  })
})
