import { secretsOfRun } from './masker.ts'
import { privateStep } from './secret-steps.ts'
import { UnsupportedTarget } from './errors.ts'
import { connectSsh, type SshConnectOptions } from './ssh-connect.ts'
import { remotePlan } from './ssh-commands.ts'
import { DEFAULT_POOL_LIMITS, SshPool, type Lease, type PoolLimits } from './ssh-pool.ts'
import { exec, runOnChannel } from './ssh-step.ts'
import type { ExecutionTarget, Executor, StepIo, StepResult, StepSpec, TargetSecret, TargetSession } from './types.ts'

export interface SshExecutorOptions {
  readonly pool: PoolLimits
  readonly connect: Omit<SshConnectOptions, 'onHostKey'>
  /** Between TERM and KILL of a cancelled or timed-out step's process group (default 5 s). */
  readonly killGraceMs: number
}

export const DEFAULT_SSH_OPTIONS: SshExecutorOptions = {
  pool: DEFAULT_POOL_LIMITS,
  connect: { readyTimeoutMs: 20_000, keepaliveIntervalMs: 15_000, keepaliveCountMax: 3 },
  killGraceMs: 5_000
}

export interface SshExecutor extends Executor {
  readonly pool: SshPool
  /** Closes all pooled connections (worker shutdown). */
  close(): Promise<void>
}

/** One executor (and so one pool) per worker process. */
export function createSshExecutor(options: Partial<SshExecutorOptions> = {}): SshExecutor {
  const o: SshExecutorOptions = {
    ...DEFAULT_SSH_OPTIONS,
    ...options,
    pool: { ...DEFAULT_SSH_OPTIONS.pool, ...options.pool },
    connect: { ...DEFAULT_SSH_OPTIONS.connect, ...options.connect }
  }
  const pool = new SshPool(o.pool)
  return {
    pool,
    close: () => pool.close(),
    async open(target, secret, opts) {
      if (target.connection !== 'SSH') throw new UnsupportedTarget({ targetId: target.targetId, connection: target.connection })
      const connect = (t: ExecutionTarget, s: TargetSecret | null) => connectSsh(t, s, { ...o.connect, onHostKey: opts.onHostKey })
      const lease = await pool.acquire(target, secret, connect, opts.signal)
      const secrets = secretsOfRun(opts.mask, secret)
      return new SshSession(pool, lease, () => pool.acquire(target, secret, connect, opts.signal), { killGraceMs: o.killGraceMs, secrets })
    }
  }
}

class SshSession implements TargetSession {
  private closed = false

  constructor(
    private readonly pool: SshPool,
    private lease: Lease,
    private readonly reacquire: () => Promise<Lease>,
    private readonly opts: { killGraceMs: number; secrets: ReadonlyArray<string> }
  ) {}

  async runStep(step: StepSpec, io: StepIo): Promise<StepResult> {
    if (this.closed) throw new Error('runStep on a closed session')
    if (io.signal.aborted) return notRun({ cancelled: true })
    const plan = remotePlan(privateStep(step, this.opts.secrets))
    const run = () => {
      const client = this.lease.client
      return exec(client, plan.command, (channel) => runOnChannel(client, channel, plan, step, io, this.opts))
    }
    try {
      return await run()
    } catch (first) {
      // A pooled connection may have died while idle (server restart, NAT timeout). Nothing ran
      // yet, so one fresh connection is tried; a server refusing the channel is not retried.
      if (!isConnectionGone(first)) return notRun({ error: `could not start the step: ${message(first)}` })
      this.pool.discard(this.lease.connectionId)
      try {
        this.lease = await this.reacquire()
        return await run()
      } catch (second) {
        return notRun({ error: `could not start the step: ${message(second)}`, cancelled: io.signal.aborted })
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.pool.release(this.lease.connectionId)
  }
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err))

// ssh2's words for "this connection is gone" (vs. "the server refused this channel").
const isConnectionGone = (err: unknown): boolean => /Not connected|No response from server|ECONNRESET|EPIPE|closed/i.test(message(err))

function notRun(r: { error?: string; cancelled?: boolean }): StepResult {
  return { exitCode: null, signal: null, timedOut: false, cancelled: r.cancelled ?? false, durationMs: 0, outputBytes: 0, error: r.error ?? null }
}
