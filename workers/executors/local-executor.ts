// Runs steps on the worker's own machine with the same semantics as SSH: each step in its own
// process group (detached = setsid), so cancel and timeout reach every process it started.
import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { UnsupportedTarget } from './errors.ts'
import { killGroup } from './local-kill.ts'
import { secretsOfRun } from './masker.ts'
import { privateStep } from './secret-steps.ts'
import { backPressure, outputSink, watchStep } from './output.ts'
import type { Executor, StepIo, StepResult, StepSpec, TargetSession } from './types.ts'

export interface LocalExecutorOptions {
  /** Between TERM and KILL of a cancelled or timed-out step's process group (default 5 s). */
  readonly killGraceMs: number
}

export function createLocalExecutor(options: Partial<LocalExecutorOptions> = {}): Executor {
  const killGraceMs = options.killGraceMs ?? 5_000
  return {
    async open(target, secret, opts) {
      if (target.connection !== 'LOCAL') throw new UnsupportedTarget({ targetId: target.targetId, connection: target.connection })
      // Steps run as the worker's own user; a credential, if any, is only masked.
      const secrets = secretsOfRun(opts.mask, secret)
      return localSession({ killGraceMs, secrets })
    }
  }
}

type Options = { killGraceMs: number; secrets: ReadonlyArray<string> }

function localSession(o: Options): TargetSession {
  return {
    async runStep(given, io) {
      if (io.signal.aborted) return failed(Date.now(), 'cancelled before it started', true)
      const step = privateStep(given, o.secrets)
      switch (step.kind) {
        case 'COMMAND':
          return runProcess('/bin/sh', ['-c', step.command ?? ''], step, io, o)
        case 'SCRIPT':
          return runScript(step, io, o)
        case 'UPLOAD':
          return upload(step)
        default:
          return unknownKind(step.kind)
      }
    },
    close: async () => undefined
  }
}

async function runScript(step: StepSpec, io: StepIo, o: Options): Promise<StepResult> {
  // A private directory: nobody else can read the script or swap the file before it runs.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ops-step-'))
  try {
    const file = path.join(dir, 'script')
    await fs.writeFile(file, step.script ?? '', { mode: 0o700 })
    return await runProcess(step.interpreter ?? '/bin/sh', [file], step, io, o)
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
}

async function upload(step: StepSpec): Promise<StepResult> {
  const started = Date.now()
  const file = step.path ?? ''
  try {
    if (step.mode) {
      // The mode is set before the content is written (a 0600 secret is never world-readable).
      const handle = await fs.open(file, 'w', 0o600)
      try {
        await handle.chmod(parseInt(step.mode, 8))
        await handle.writeFile(step.content ?? '')
      } finally {
        await handle.close()
      }
    } else {
      await fs.writeFile(file, step.content ?? '')
    }
    return { exitCode: 0, signal: null, timedOut: false, cancelled: false, durationMs: Date.now() - started, outputBytes: 0, error: null }
  } catch (err) {
    return { ...failed(started, `upload to ${file} failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`), exitCode: 1 }
  }
}

// What a step on the worker's own host sees of the worker's environment: enough to find programs
// and behave like a login shell, and nothing of the platform's configuration (the master key,
// DATABASE_URL with its password, the JWT secret), which `env` in a step would otherwise print.
const STEP_ENVIRONMENT = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER', 'LOGNAME', 'SHELL'] as const
const stepEnvironment = (): NodeJS.ProcessEnv =>
  Object.fromEntries(STEP_ENVIRONMENT.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])))

function runProcess(program: string, args: string[], step: StepSpec, io: StepIo, o: Options): Promise<StepResult> {
  const started = Date.now()
  const sink = outputSink(io.onOutput, o.secrets)
  return new Promise((resolve) => {
    const child = spawn(program, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: stepEnvironment() })
    let spawnError: string | null = null
    const stopping: { done: Promise<void> | null } = { done: null }
    const watch = watchStep(step.timeoutSeconds, io.signal, () => {
      if (child.pid !== undefined) stopping.done = killGroup(child.pid, o.killGraceMs)
    })
    const yieldToOutput = backPressure(io, [child.stdout, child.stderr])
    child.stdout.on('data', (data: Buffer) => {
      sink.stdout(data)
      yieldToOutput()
    })
    child.stderr.on('data', (data: Buffer) => {
      sink.stderr(data)
      yieldToOutput()
    })
    child.on('error', (err) => {
      spawnError = `could not start ${program}: ${err.message}`
    })
    child.on('close', (code, signal) => {
      watch.dispose()
      sink.end()
      const finish = () =>
        resolve({
          exitCode: spawnError ? null : code, // node reports -errno when the spawn failed
          signal,
          timedOut: watch.reason() === 'timeout',
          cancelled: watch.reason() === 'cancel',
          durationMs: Date.now() - started,
          outputBytes: sink.bytes,
          error: spawnError
        })
      if (stopping.done) void stopping.done.then(finish)
      else finish()
    })
  })
}

function failed(started: number, error: string, cancelled = false): StepResult {
  return { exitCode: null, signal: null, timedOut: false, cancelled, durationMs: Date.now() - started, outputBytes: 0, error }
}

function unknownKind(kind: never): never {
  throw new Error(`unknown step kind ${String(kind)}`)
}
