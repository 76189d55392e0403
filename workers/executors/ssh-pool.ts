// Keeps SSH connections open between steps and executions: a fresh handshake costs ~70 ms of
// both cores here (≈ 14 connections/s), a command on an open connection ~10 ms. Connections are
// keyed by target + credential, shared by up to `sessionsPerConnection` sessions at once, and
// closed after `idleMs` without a session.
import crypto from 'node:crypto'
import type { Client } from 'ssh2'
import { ConnectFailed } from './errors.ts'
import type { ExecutionTarget, TargetSecret } from './types.ts'

export interface PoolLimits {
  /** How long an unused connection stays open for the next session (default 30 s). */
  readonly idleMs: number
  readonly maxPerTarget: number
  readonly maxTotal: number
  /** Sessions sharing one connection; each uses ≤ 2 channels, sshd allows 10 by default. */
  readonly sessionsPerConnection: number
}

export const DEFAULT_POOL_LIMITS: PoolLimits = { idleMs: 30_000, maxPerTarget: 4, maxTotal: 256, sessionsPerConnection: 4 }

interface Connection {
  readonly id: number
  readonly key: string
  readonly ready: Promise<Client>
  client: Client | null
  leases: number
  idleTimer: NodeJS.Timeout | undefined
}

/** A session's hold on a connection; give it back with `pool.release` exactly once. */
export interface Lease {
  readonly connectionId: number
  readonly client: Client
}

export type Connect = (target: ExecutionTarget, secret: TargetSecret | null) => Promise<Client>

/** Secrets go into the key only as a hash, so a logged key reveals nothing. */
export function poolKey(target: ExecutionTarget, secret: TargetSecret | null): string {
  const credential = crypto.createHash('sha256')
    .update(JSON.stringify([secret?.username, secret?.password, secret?.privateKey, secret?.passphrase]))
    .digest('base64url')
  return [target.targetId, target.address, target.port ?? 22, target.pinnedHostKey ?? '', credential].join('|')
}

export class SshPool {
  private readonly connections = new Map<number, Connection>()
  private waiters: Array<() => void> = []
  private nextId = 1
  /** Handshakes made so far (tests and benchmarks read it). */
  connects = 0

  constructor(private readonly limits: PoolLimits = DEFAULT_POOL_LIMITS) {}

  async acquire(target: ExecutionTarget, secret: TargetSecret | null, connect: Connect, signal: AbortSignal): Promise<Lease> {
    const key = poolKey(target, secret)
    for (;;) {
      if (signal.aborted) throw new ConnectFailed({ targetId: target.targetId, targetName: target.name, reason: 'cancelled' })
      const conn = this.pick(key) ?? this.open(key, () => connect(target, secret))
      if (conn) {
        conn.leases += 1
        clearTimeout(conn.idleTimer)
        try {
          return { connectionId: conn.id, client: await abortable(conn.ready, signal, target) }
        } catch (err) {
          this.release(conn.id)
          throw err
        }
      }
      await this.waitForRoom(signal)
    }
  }

  release(connectionId: number): void {
    const conn = this.connections.get(connectionId)
    if (!conn) return
    conn.leases -= 1
    if (conn.leases === 0 && conn.client) {
      conn.idleTimer = setTimeout(() => this.drop(conn), this.limits.idleMs).unref()
    }
    this.wake()
  }

  /** The connection turned out dead (or must not be reused): close it and forget it. */
  discard(connectionId: number): void {
    const conn = this.connections.get(connectionId)
    if (conn) this.drop(conn)
  }

  stats(): { open: number; idle: number; connects: number } {
    const all = [...this.connections.values()]
    return { open: all.length, idle: all.filter((c) => c.leases === 0).length, connects: this.connects }
  }

  /** Closes every connection (worker shutdown); sessions still running lose theirs. */
  async close(): Promise<void> {
    for (const conn of [...this.connections.values()]) this.drop(conn)
  }

  private pick(key: string): Connection | undefined {
    let best: Connection | undefined
    for (const c of this.connections.values()) {
      if (c.key === key && c.leases < this.limits.sessionsPerConnection && (!best || c.leases < best.leases)) best = c
    }
    return best
  }

  private open(key: string, connect: () => Promise<Client>): Connection | undefined {
    const all = [...this.connections.values()]
    if (all.filter((c) => c.key === key).length >= this.limits.maxPerTarget) return undefined
    if (all.length >= this.limits.maxTotal) {
      // Make room by closing the connection idle the longest (Map order = oldest first).
      const idle = all.find((c) => c.leases === 0 && c.client)
      if (!idle) return undefined
      this.drop(idle)
    }
    const id = this.nextId++
    this.connects += 1
    const ready = connect().then(
      (client) => {
        conn.client = client
        // Whatever ends the connection later, the pool stops handing it out.
        client.on('close', () => this.forget(conn))
        client.on('end', () => this.forget(conn))
        if (conn.leases === 0) conn.idleTimer = setTimeout(() => this.drop(conn), this.limits.idleMs).unref()
        return client
      },
      (err: unknown) => {
        this.forget(conn)
        throw err
      }
    )
    ready.catch(() => undefined) // handled by each acquirer; this avoids an unhandled rejection
    const conn: Connection = { id, key, ready, client: null, leases: 0, idleTimer: undefined }
    this.connections.set(id, conn)
    return conn
  }

  private drop(conn: Connection): void {
    this.forget(conn)
    conn.client?.end()
  }

  private forget(conn: Connection): void {
    clearTimeout(conn.idleTimer)
    if (this.connections.delete(conn.id)) this.wake()
  }

  private wake(): void {
    const waiting = this.waiters
    this.waiters = []
    for (const w of waiting) w()
  }

  private waitForRoom(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done)
        resolve()
      }
      this.waiters.push(done)
      signal.addEventListener('abort', done, { once: true })
    })
  }
}

/** Waits for the connection, but gives up when this caller is cancelled (others may still use it). */
function abortable(ready: Promise<Client>, signal: AbortSignal, target: ExecutionTarget): Promise<Client> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new ConnectFailed({ targetId: target.targetId, targetName: target.name, reason: 'cancelled' }))
    signal.addEventListener('abort', onAbort, { once: true })
    ready.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
