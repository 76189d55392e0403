import { afterAll, describe, expect, it, vi } from 'vitest'
import { sshFacts } from '../../test/support.ts'
import { ConnectFailed, HostKeyMismatch, HostKeyRejected } from './errors.ts'
import { renderStep } from './shell.ts'
import { createSshExecutor } from './ssh-executor.ts'
import { capture, command, keySecret, openOptions, passphraseSecret, passwordSecret, sshTarget, stdoutOf, uniqueSleep } from './testing.ts'
import type { TargetSession } from './types.ts'

const executor = createSshExecutor({ killGraceMs: 1_000 })
afterAll(() => executor.close())

const session = (secret = passwordSecret()) => executor.open(sshTarget(), secret, openOptions())
/** How many processes of the test user still run `sleep`. The [p] keeps pgrep's own shell out. */
const stillRunning = async (s: TargetSession, sleep: string) =>
  Number((await stdoutOf(s, `pgrep -u ${sshFacts().user} -f '${sleep.replace('sleep', 'slee[p]')}' | wc -l`)).trim())

describe('SSH executor', () => {
  describe('when connecting', () => {
    it.each([
      ['a password', passwordSecret],
      ['a private key', keySecret],
      ['a private key with a passphrase', passphraseSecret]
    ])('logs in with %s', async (_, secret) => {
      const s = await session(secret())
      expect(await stdoutOf(s, 'id -un')).toBe(`${sshFacts().user}\n`)
      await s.close()
    })

    it('fails with ConnectFailed on a wrong password', async () => {
      const open = executor.open(sshTarget({ targetId: 'tgt-wrong-pw' }), { username: sshFacts().user, password: 'not-the-password' }, openOptions())
      await expect(open).rejects.toThrow(ConnectFailed)
      await expect(open).rejects.toThrow(/authentication failed/)
    })

    it('uses a matching pinned host key without asking', async () => {
      const onHostKey = vi.fn(async () => 'reject' as const)
      const s = await executor.open(sshTarget({ targetId: 'tgt-pinned' }), passwordSecret(), openOptions({ onHostKey }))
      await s.close()
      expect(onHostKey).not.toHaveBeenCalled()
    })

    it('refuses a changed host key with HostKeyMismatch before logging in', async () => {
      const expected = 'ssh-ed25519 SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
      const onHostKey = vi.fn(async () => 'accept' as const)
      const err = await executor
        .open(sshTarget({ targetId: 'tgt-moved', name: 'db-primary', pinnedHostKey: expected }), passwordSecret(), openOptions({ onHostKey }))
        .then(() => null, (e: unknown) => e)
      expect(err).toBeInstanceOf(HostKeyMismatch)
      expect(err).toMatchObject({ _tag: 'HostKeyMismatch', targetName: 'db-primary', expected, offered: `ssh-ed25519 ${sshFacts().hostKeyFingerprint}` })
      expect(String((err as Error).message)).toContain(`expected ${expected}, offered ssh-ed25519 ${sshFacts().hostKeyFingerprint}`)
      expect(onHostKey).not.toHaveBeenCalled()
    })

    it('asks on first use and proceeds when the worker accepts the key', async () => {
      const onHostKey = vi.fn(async () => 'accept' as const)
      const s = await executor.open(sshTarget({ targetId: 'tgt-new', pinnedHostKey: null }), passwordSecret(), openOptions({ onHostKey }))
      expect(onHostKey).toHaveBeenCalledWith(`ssh-ed25519 ${sshFacts().hostKeyFingerprint}`)
      expect(await stdoutOf(s, 'echo ok')).toBe('ok\n')
      await s.close()
    })

    it('fails with HostKeyRejected when the worker declines the first-use key', async () => {
      const open = executor.open(sshTarget({ targetId: 'tgt-declined', pinnedHostKey: null }), passwordSecret(), openOptions({ onHostKey: async () => 'reject' }))
      await expect(open).rejects.toThrow(HostKeyRejected)
    })
  })

  describe('when running steps', () => {
    it('reports the exit code with stdout and stderr kept apart', async () => {
      const s = await session()
      const out = capture()
      const r = await s.runStep(command('echo out; echo err >&2; exit 7'), out.io)
      expect(r).toMatchObject({ exitCode: 7, signal: null, timedOut: false, cancelled: false, outputBytes: 8, error: null })
      expect(out.text('stdout')).toBe('out\n')
      expect(out.text('stderr')).toBe('err\n') // the process-group marker is not shown
      expect((await s.runStep(command('kill -KILL $$'), capture().io)).signal).toBe('SIGKILL')
      await s.close()
    })

    it('stops a step at its timeout and leaves no process behind', async () => {
      const s = await session()
      const sleep = uniqueSleep(30)
      const r = await s.runStep(command(sleep, 1), capture().io)
      expect(r).toMatchObject({ timedOut: true, cancelled: false, signal: 'SIGTERM' })
      expect(r.durationMs).toBeLessThan(4_000)
      expect(await stillRunning(s, sleep)).toBe(0)
      await s.close()
    })

    it('kills the whole remote process tree on cancel', async () => {
      const s = await session()
      const sleep = uniqueSleep(300)
      const cancel = new AbortController()
      // A pipeline and a background job: processes the shell does not wait for by itself.
      const running = s.runStep(command(`${sleep} | cat & ${sleep}; wait`), capture(cancel.signal).io)
      // Both sleeps and the step's shell (its command line names them too).
      await vi.waitFor(async () => expect(await stillRunning(s, sleep)).toBe(3), { timeout: 3_000, interval: 100 })
      cancel.abort()
      const r = await running
      expect(r).toMatchObject({ cancelled: true, timedOut: false })
      expect(await stillRunning(s, sleep)).toBe(0)
      await s.close()
    })

    it('also kills what moved to a process group of its own (timeout, job control) on cancel', async () => {
      const s = await session()
      const sleep = uniqueSleep(300)
      const cancel = new AbortController()
      const running = s.runStep(command(`timeout 600 ${sleep}; set -m; ${sleep} & wait`), capture(cancel.signal).io)
      await vi.waitFor(async () => expect(await stillRunning(s, sleep)).toBeGreaterThanOrEqual(2), { timeout: 3_000, interval: 100 })
      cancel.abort()
      expect(await running).toMatchObject({ cancelled: true })
      expect(await stillRunning(s, sleep)).toBe(0)
      await s.close()
    })

    it('never puts a secret on a command line, where every user of the target could read it', async () => {
      const secret = `s3cret-${Math.random().toString(36).slice(2)}`
      const s = await executor.open(sshTarget(), passwordSecret(), openOptions({ mask: [secret] }))
      const watcher = await session()
      const sleep = uniqueSleep(2)
      const running = s.runStep(command(`token='${secret}'; ${sleep}; echo "$token"`), capture().io)
      let seen = ''
      await vi.waitFor(async () => {
        seen = await stdoutOf(watcher, 'ps -eo args')
        expect(seen).toContain(sleep)
      }, { timeout: 3_000, interval: 100 })
      expect(seen).not.toContain(secret)
      expect(await running).toMatchObject({ exitCode: 0 })
      await s.close()
      await watcher.close()
    })

    it('kills processes that ignore SIGTERM after the grace period', async () => {
      const s = await session()
      const sleep = uniqueSleep(300)
      const r = await s.runStep(command(`trap '' TERM; ${sleep} & ${sleep}; wait`, 1), capture().io)
      expect(r).toMatchObject({ timedOut: true, signal: 'SIGKILL' })
      expect(r.durationMs).toBeGreaterThanOrEqual(1_900) // 1 s timeout + 1 s grace
      expect(await stillRunning(s, sleep)).toBe(0)
      await s.close()
    })

    it('runs a script with its interpreter from a private temp file and removes the file', async () => {
      const s = await session()
      const out = capture()
      const script = 'echo "${BASH_VERSION:+bash}"\nls -l "$0" | cut -c1-10\necho "$0" >&2\nexit 4\n'
      const r = await s.runStep({ index: 1, kind: 'SCRIPT', script, interpreter: 'bash', timeoutSeconds: null }, out.io)
      expect(r).toMatchObject({ exitCode: 4, error: null })
      expect(out.text('stdout')).toBe('bash\n-rwx------\n')
      const file = out.text('stderr').trim()
      expect(file).toMatch(/^\/tmp\/ops-step\./)
      expect(await stdoutOf(s, `test -e '${file}' && echo left || echo removed`)).toBe('removed\n')
      await s.close()
    })

    it('removes the script file of a cancelled script too', async () => {
      const s = await session()
      const out = capture()
      const r = await s.runStep({ index: 1, kind: 'SCRIPT', script: `echo "$0" >&2\n${uniqueSleep(30)}\n`, interpreter: '/bin/sh', timeoutSeconds: 1 }, out.io)
      expect(r.timedOut).toBe(true)
      expect(await stdoutOf(s, `test -e '${out.text('stderr').trim()}' && echo left || echo removed`)).toBe('removed\n')
      await s.close()
    })

    it('uploads a file with its content and mode', async () => {
      const s = await session()
      const path = `/tmp/ops-upload-${process.pid}-${Date.now()}.conf`
      const content = "line 1 with 'quotes' and $(not run)\nline 2\n"
      const r = await s.runStep({ index: 2, kind: 'UPLOAD', path, content, mode: '0640', timeoutSeconds: null }, capture().io)
      expect(r).toMatchObject({ exitCode: 0, error: null })
      expect(await stdoutOf(s, `stat -c %a '${path}'; cat '${path}'; rm -f '${path}'`)).toBe(`640\n${content}`)
      const missing = capture()
      const failed = await s.runStep({ index: 3, kind: 'UPLOAD', path: '/nonexistent-dir/x', content: 'x', mode: null, timeoutSeconds: null }, missing.io)
      expect(failed.exitCode).not.toBe(0)
      expect(missing.text('stderr')).toMatch(/cannot create|No such file/)
      await s.close()
    })

    it('runs parameter injection attempts as literal text', async () => {
      const s = await session()
      for (const msg of ['hi; echo INJECTED', '$(echo INJECTED)', "'; echo INJECTED; '"]) {
        for (const text of ['echo {{msg}}', 'echo "{{msg}}"', "echo '{{msg}}'"]) {
          const step = renderStep({ kind: 'COMMAND', name: null, command: text, timeoutSeconds: null }, { msg }, 0)
          const out = capture()
          await s.runStep(step, out.io)
          expect(out.text('stdout')).toBe(`${msg}\n`)
        }
      }
      await s.close()
    })

    it('masks secrets, also when they arrive split over two packets', async () => {
      const token = 'tok-SPLIT-4711-secret'
      const s = await executor.open(sshTarget(), passwordSecret(), openOptions({ mask: [token] }))
      const out = capture()
      await s.runStep(command(`printf 'a tok-SPLIT-'; sleep 0.2; printf '4711-secret b\\n'; echo ${sshFacts().password} >&2`), out.io)
      expect(out.text('stdout')).toBe('a **** b\n')
      expect(out.text('stderr')).toBe('****\n') // the credential's password is always masked
      await s.close()
    })
  })
})
