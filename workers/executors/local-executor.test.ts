import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { UnsupportedTarget } from './errors.ts'
import { createLocalExecutor } from './local-executor.ts'
import { executorByConnection } from './router.ts'
import { renderStep } from './shell.ts'
import { capture, command, localTarget, openOptions, sshTarget, uniqueSleep } from './testing.ts'

const executor = createLocalExecutor({ killGraceMs: 1_000 })
const session = (mask: string[] = []) => executor.open(localTarget(), null, openOptions({ mask }))
/** Processes on this machine whose command line runs `sleep` (the [p] keeps pgrep's shell out). */
const stillRunning = (sleep: string): number =>
  Number(execFileSync('/bin/sh', ['-c', `pgrep -f '${sleep.replace('sleep', 'slee[p]')}' | wc -l`], { encoding: 'utf8' }).trim())

describe('Local executor', () => {
  it('serves LOCAL targets only', async () => {
    await expect(executor.open(sshTarget(), null, openOptions())).rejects.toThrow(UnsupportedTarget)
  })

  it('reports the exit code with stdout and stderr kept apart', async () => {
    const s = await session()
    const out = capture()
    const r = await s.runStep(command('echo out; echo err >&2; exit 7'), out.io)
    expect(r).toMatchObject({ exitCode: 7, signal: null, timedOut: false, cancelled: false, outputBytes: 8, error: null })
    expect([out.text('stdout'), out.text('stderr')]).toEqual(['out\n', 'err\n'])
    expect((await s.runStep(command('kill -KILL $$'), capture().io)).signal).toBe('SIGKILL')
  })

  it('gives steps a plain environment, never the platform’s own configuration', async () => {
    const planted = { OPS_MASTER_KEY: 'master-key-must-not-leak', DATABASE_URL: 'postgres://ops:db-password-must-not-leak@db/ops', OPS_JWT_SECRET: 'jwt-must-not-leak' }
    const before = { ...process.env }
    Object.assign(process.env, planted)
    try {
      const out = capture()
      const r = await (await session()).runStep(command('env; echo "path:$PATH"'), out.io)
      expect(r.exitCode).toBe(0)
      for (const value of Object.values(planted)) expect(out.text('stdout')).not.toContain(value)
      expect(out.text('stdout')).toContain(`path:${process.env.PATH}`)
    } finally {
      for (const name of Object.keys(planted)) {
        if (before[name] === undefined) delete process.env[name]
        else process.env[name] = before[name]
      }
    }
  })

  it('stops a step at its timeout and leaves no process behind', async () => {
    const s = await session()
    const sleep = uniqueSleep(30)
    const r = await s.runStep(command(`${sleep} | cat`, 1), capture().io)
    expect(r).toMatchObject({ timedOut: true, cancelled: false })
    expect(r.durationMs).toBeLessThan(3_000)
    expect(stillRunning(sleep)).toBe(0)
  })

  it('kills the whole process tree on cancel, TERM-ignoring processes after the grace period', async () => {
    const s = await session()
    const sleep = uniqueSleep(300)
    const cancel = new AbortController()
    const running = s.runStep(command(`trap '' TERM; ${sleep} & ${sleep} | cat; wait`), capture(cancel.signal).io)
    await vi.waitFor(() => expect(stillRunning(sleep)).toBe(3), { timeout: 3_000, interval: 50 })
    cancel.abort()
    const r = await running
    expect(r).toMatchObject({ cancelled: true, signal: 'SIGKILL' })
    expect(stillRunning(sleep)).toBe(0)
  })

  it('also kills what moved to a process group of its own (timeout, job control) on cancel', async () => {
    const s = await session()
    const sleep = uniqueSleep(300)
    const cancel = new AbortController()
    const running = s.runStep(command(`timeout 600 ${sleep}; set -m; ${sleep} & wait`), capture(cancel.signal).io)
    await vi.waitFor(() => expect(stillRunning(sleep)).toBeGreaterThanOrEqual(2), { timeout: 3_000, interval: 50 })
    cancel.abort()
    expect(await running).toMatchObject({ cancelled: true })
    expect(stillRunning(sleep)).toBe(0)
  })

  it('never puts a secret on a command line, where every user of the machine could read it', async () => {
    const secret = `s3cret-${Math.random().toString(36).slice(2)}`
    const sleep = uniqueSleep(2)
    const running = (await session([secret])).runStep(command(`token='${secret}'; ${sleep}; echo "$token"`), capture().io)
    let seen = ''
    await vi.waitFor(() => {
      seen = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      expect(seen).toContain(sleep)
    }, { timeout: 3_000, interval: 50 })
    expect(seen).not.toContain(secret)
    expect(await running).toMatchObject({ exitCode: 0 })
  })

  it('runs a script from a private temp file and removes it', async () => {
    const s = await session()
    const out = capture()
    const r = await s.runStep({ index: 0, kind: 'SCRIPT', script: 'stat -c %a "$0"\necho "$0" >&2\nexit 3\n', interpreter: 'bash', timeoutSeconds: null }, out.io)
    expect(r.exitCode).toBe(3)
    expect(out.text('stdout')).toBe('700\n')
    expect(fs.existsSync(out.text('stderr').trim())).toBe(false)
  })

  it('reports an interpreter that does not exist', async () => {
    const s = await session()
    const r = await s.runStep({ index: 0, kind: 'SCRIPT', script: 'true', interpreter: 'no-such-interpreter', timeoutSeconds: null }, capture().io)
    expect(r).toMatchObject({ exitCode: null, error: expect.stringContaining('ENOENT') })
  })

  it('uploads a file with its content and mode, and reports a failed upload', async () => {
    const s = await session()
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ops-upload-')), 'app.conf')
    const r = await s.runStep({ index: 0, kind: 'UPLOAD', path: file, content: 'a=1\n', mode: '0640', timeoutSeconds: null }, capture().io)
    expect(r).toMatchObject({ exitCode: 0, error: null })
    expect(fs.readFileSync(file, 'utf8')).toBe('a=1\n')
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('640')
    fs.rmSync(path.dirname(file), { recursive: true })
    const failed = await s.runStep({ index: 1, kind: 'UPLOAD', path: '/nonexistent-dir/x', content: '', mode: null, timeoutSeconds: null }, capture().io)
    expect(failed).toMatchObject({ exitCode: 1, error: expect.stringContaining('ENOENT') })
  })

  it('runs parameter injection attempts as literal text', async () => {
    const s = await session()
    const out = capture()
    await s.runStep(renderStep({ kind: 'COMMAND', name: null, command: 'echo {{msg}}', timeoutSeconds: null }, { msg: 'hi; echo INJECTED' }, 0), out.io)
    expect(out.text('stdout')).toBe('hi; echo INJECTED\n')
  })

  it('masks secrets split across output chunks', async () => {
    const s = await session(['local-secret-99'])
    const out = capture()
    await s.runStep(command("printf 'x local-sec'; sleep 0.1; printf 'ret-99 y\\n'"), out.io)
    expect(out.text('stdout')).toBe('x **** y\n')
  })

  it('streams a 20 MB output completely', async () => {
    const s = await session()
    let bytes = 0
    const r = await s.runStep(command('yes | head -c 20000000'), { signal: new AbortController().signal, onOutput: (c) => (bytes += c.data.length) })
    expect(r).toMatchObject({ exitCode: 0, outputBytes: 20_000_000 })
    expect(bytes).toBe(20_000_000)
  })
})

describe('executorByConnection', () => {
  it('routes by connection kind and refuses kinds it has no executor for', async () => {
    const router = executorByConnection({ LOCAL: executor })
    const s = await router.open(localTarget(), null, openOptions())
    const out = capture()
    await s.runStep(command('echo routed'), out.io)
    expect(out.text('stdout')).toBe('routed\n')
    await expect(router.open({ ...localTarget(), connection: 'WINRM' }, null, openOptions())).rejects.toThrow(UnsupportedTarget)
  })
})
