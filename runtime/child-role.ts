import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Logger } from './logger.ts'
import type { Role } from './roles.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const HALTED = 70

/**
 * Runs a role in its own Node process so it gets its own core (the sink's batches would
 * otherwise share one event loop with the API and the worker). Restarted if it dies; a halt
 * (exit 70: the event log and the store disagree) stops the whole platform instead.
 */
export const startChildRole = (name: string, script: string, env: Record<string, string>, logger: Logger): Role => {
  let child: ChildProcess | undefined
  let stopping = false
  const launch = () => {
    const c = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      // The IPC channel lets the child notice when this process is gone, however it died.
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    child = c
    c.on('exit', (code, signal) => {
      if (stopping) return
      if (code === HALTED) {
        logger.fatal({ role: name }, `${name} halted; stopping`)
        process.exitCode = HALTED
        process.kill(process.pid, 'SIGTERM')
        return
      }
      logger.error({ role: name, code, signal }, `${name} exited; restarting in 1 s`)
      setTimeout(launch, 1_000).unref()
    })
  }
  launch()
  return {
    name,
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true
        if (!child || child.exitCode !== null || child.signalCode !== null) return resolve()
        const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000)
        child.once('exit', () => {
          clearTimeout(timer)
          resolve()
        })
        child.kill('SIGTERM')
      })
  }
}

/** In a child started by `startChildRole`: exit when the parent goes away. */
export const exitWithParent = (): void => {
  if (!process.send) return
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'))
}
