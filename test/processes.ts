import { spawn, type ChildProcess } from 'node:child_process'
import type { Harness } from './harness.ts'

/**
 * A role (`projections/main.ts`, `workers/main.ts`) as a real process against the harness's
 * database and stream namespace, so a test can SIGKILL it mid-work.
 */
export const spawnRole = (h: Harness, script: string, env: Record<string, string> = {}, nodeArgs: ReadonlyArray<string> = []): ChildProcess =>
  spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    env: {
      ...process.env,
      NATS_URL: h.natsUrl,
      DATABASE_URL: h.databaseUrl,
      OPS_NAMESPACE: h.namespace,
      OPS_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      OPS_LOG_LEVEL: 'warn',
      ...env
    },
    stdio: ['ignore', 'ignore', 'inherit']
  })

/** SIGKILL: no clean stop, exactly what a crash looks like. Resolves once the process is gone. */
export const killProcess = (p: ChildProcess): Promise<void> =>
  new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve()
    p.once('exit', () => resolve())
    p.kill('SIGKILL')
  })
