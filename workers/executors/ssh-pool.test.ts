import { afterAll, describe, expect, it } from 'vitest'
import { connectSsh } from './ssh-connect.ts'
import { createSshExecutor, DEFAULT_SSH_OPTIONS } from './ssh-executor.ts'
import { SshPool } from './ssh-pool.ts'
import { capture, command, keySecret, openOptions, passwordSecret, sshTarget, stdoutOf } from './testing.ts'
import type { ExecutionTarget, TargetSecret } from './types.ts'

const connect = (t: ExecutionTarget, s: TargetSecret | null) => connectSsh(t, s, { ...DEFAULT_SSH_OPTIONS.connect, onHostKey: async () => 'reject' })
const never = new AbortController().signal
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('SSH connection pool', () => {
  const executor = createSshExecutor({ pool: { ...DEFAULT_SSH_OPTIONS.pool, idleMs: 400 } })
  afterAll(() => executor.close())

  it('runs later steps of a session on the same connection', async () => {
    const s = await executor.open(sshTarget({ targetId: 'pool-steps' }), passwordSecret(), openOptions())
    const before = executor.pool.stats().connects
    for (let i = 0; i < 5; i++) expect(await stdoutOf(s, `echo ${i}`)).toBe(`${i}\n`)
    expect(executor.pool.stats().connects).toBe(before)
    await s.close()
  })

  it('hands the same client to the next session of the same target and credential', async () => {
    const pool = new SshPool()
    const first = await pool.acquire(sshTarget(), passwordSecret(), connect, never)
    pool.release(first.connectionId)
    const second = await pool.acquire(sshTarget(), passwordSecret(), connect, never)
    const otherCredential = await pool.acquire(sshTarget(), keySecret(), connect, never)
    expect(second.client).toBe(first.client)
    expect(otherCredential.client).not.toBe(first.client)
    expect(pool.stats()).toMatchObject({ open: 2, connects: 2 })
    await pool.close()
  })

  it('closes connections left idle', async () => {
    const s = await executor.open(sshTarget({ targetId: 'pool-idle' }), passwordSecret(), openOptions())
    await s.close()
    expect(executor.pool.stats().idle).toBeGreaterThanOrEqual(1)
    await sleep(700)
    expect(executor.pool.stats()).toMatchObject({ open: 0, idle: 0 })
  })

  it('reconnects once when the pooled connection died', async () => {
    const s = await executor.open(sshTarget({ targetId: 'pool-dead' }), passwordSecret(), openOptions())
    const before = executor.pool.stats().connects
    // Kill this connection's sshd process from inside: the step itself loses its connection.
    const lost = await s.runStep(command('kill -KILL $PPID'), capture().io)
    expect(lost.error).toMatch(/connection closed/)
    expect(await stdoutOf(s, 'echo back')).toBe('back\n')
    expect(executor.pool.stats().connects).toBe(before + 1)
    await s.close()
  })

  it('waits for room when a target has its maximum of connections', async () => {
    const pool = new SshPool({ ...DEFAULT_SSH_OPTIONS.pool, maxPerTarget: 2, sessionsPerConnection: 1 })
    const a = await pool.acquire(sshTarget(), passwordSecret(), connect, never)
    await pool.acquire(sshTarget(), passwordSecret(), connect, never)
    let third: unknown = null
    const waiting = pool.acquire(sshTarget(), passwordSecret(), connect, never).then((l) => (third = l))
    await sleep(200)
    expect(third).toBeNull()
    pool.release(a.connectionId)
    expect((await waiting).client).toBe(a.client)
    await pool.close()
  })

  it('gives up waiting when the caller is cancelled', async () => {
    const pool = new SshPool({ ...DEFAULT_SSH_OPTIONS.pool, maxTotal: 1, sessionsPerConnection: 1 })
    await pool.acquire(sshTarget(), passwordSecret(), connect, never)
    const cancel = new AbortController()
    const waiting = pool.acquire(sshTarget({ targetId: 'other' }), passwordSecret(), connect, cancel.signal)
    cancel.abort()
    await expect(waiting).rejects.toThrow(/cancelled/)
    await pool.close()
  })
})
