import crypto from 'node:crypto'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Effect } from 'effect'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { followOutput } from '../bus/index.ts'
import { createCredential, type CreateCredentialInput } from '../commands/credentials.ts'
import { runJob, type RunJobInput } from '../commands/executions.ts'
import { defineJob, type DefineJobInput } from '../commands/jobs.ts'
import { registerTarget } from '../commands/targets.ts'
import { targets } from '../domains/targets/index.ts'
import { readOutput } from '../projections/output-store.ts'
import { storedOutput as settledOutput } from '../test/output.ts'
import type { CommandServices } from '../runtime/platform.ts'
import { homeOf } from '../runtime/local-util.ts'
import { waitForEnd as waitForEndOf } from '../test/executions.ts'
import { context, openHarness, type Harness } from '../test/harness.ts'
import { sshFacts } from '../test/support.ts'

// Credentials, host keys, secret masking and big or many outputs, end to end through the bus,
// the worker and the loopback sshd.

let h: Harness
const run = <A, E>(effect: Effect.Effect<A, E, CommandServices>) => h.platform.commands.runPromise(effect)
const RUN = `${process.pid}-${Date.now().toString(36)}`
const cleanups: Array<() => void> = []

beforeAll(async () => {
  h = await openHarness()
  await h.startExecution(1, 32)
})
afterAll(async () => {
  await h?.close()
  for (const cleanup of cleanups.reverse()) cleanup()
})

const waitForEnd = (executionId: string, timeoutMs?: number) => waitForEndOf(h, executionId, timeoutMs)

const outputOf = (executionId: string, targetId: string) => settledOutput(h, executionId, targetId)

const runOf = async (executionId: string) =>
  (await h.platform.pool.query<{ status: string; reason: string | null }>('SELECT status, reason FROM target_runs WHERE execution_id = $1', [executionId])).rows[0]

const job = (input: DefineJobInput) => run(defineJob(input, context()))
const start = (input: RunJobInput) => run(runJob(input, context()))
const credential = (input: CreateCredentialInput) => run(createCredential(input, context()))
const target = (name: string, credentialId: string) => {
  const ssh = sshFacts()
  return run(registerTarget({ name, address: ssh.host, port: ssh.port, connection: 'SSH', credentialId, tags: [name] }, context()))
}

/** Every place a secret could leak to: event rows, both streams' bytes, the log lines. */
const leaksOf = async (secret: string): Promise<string[]> => {
  const found: string[] = []
  const needle = Buffer.from(secret)
  const rows = await h.platform.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM events WHERE strpos(data::text, $1) > 0 OR strpos(meta::text, $1) > 0 OR strpos(message_id, $1) > 0`,
    [secret]
  )
  if (rows.rows[0]!.n > 0) found.push(`events table (${rows.rows[0]!.n} rows)`)
  const stored = await h.platform.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM execution_output WHERE position($1::bytea IN data) > 0', [needle])
  if (stored.rows[0]!.n > 0) found.push('execution_output')
  const runs = await h.platform.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM target_runs WHERE strpos(coalesce(reason, \'\'), $1) > 0', [secret])
  if (runs.rows[0]!.n > 0) found.push('target_runs')

  // The events stream, message by message, as raw bytes.
  const last = await h.platform.eventLog.lastSequence()
  const stop = new AbortController()
  let read = 0
  for await (const m of h.platform.eventLog.follow(1, stop.signal)) {
    read++
    if (Buffer.from(m.data).includes(needle) || m.subject.includes(secret) || m.msgId.includes(secret)) found.push(`events stream seq ${m.seq}`)
    if (m.seq >= last) break
  }
  stop.abort()
  expect(read).toBe(last)

  // The logs stream: every chunk any run wrote (as many as the output sink stored).
  const { rows: chunkRows } = await h.platform.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM execution_output')
  const expected = chunkRows[0]!.n
  const logs = new AbortController()
  let chunks = 0
  const idle = setTimeout(() => logs.abort(), 5_000)
  for await (const chunk of followOutput(h.platform.nc, h.platform.eventLog.names, { executionId: null, targetId: null, fromPosition: 1 }, logs.signal)) {
    chunks++
    if (Buffer.from(chunk.data).includes(needle)) found.push(`logs stream seq ${chunk.position}`)
    if (chunks >= expected) break
  }
  clearTimeout(idle)
  logs.abort()
  expect(chunks).toBe(expected)

  if (h.logs.some((line) => line.includes(secret))) found.push('platform log lines')
  return found
}

/** Waits until the output sink stored `bytes` bytes for the run (it trails the execution's end). */
const storedOutput = async (executionId: string, targetId: string, bytes: number, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { rows } = await h.platform.pool.query<{ bytes: string; chunks: number; first: number; last: number; foreign: number }>(
      `SELECT coalesce(sum(octet_length(data)), 0) AS bytes, count(*)::int AS chunks, min(seq) AS first, max(seq) AS last,
              count(*) FILTER (WHERE rtrim(encode(data, 'escape'), 'x') <> '')::int AS foreign
       FROM execution_output WHERE execution_id = $1 AND target_id = $2`,
      [executionId, targetId]
    )
    const r = rows[0]!
    if (Number(r.bytes) >= bytes || Date.now() > deadline) return { ...r, bytes: Number(r.bytes) }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('Credentials, host keys and output', () => {
  it('logs in with a password, and masks the password and SECRET parameters everywhere', async () => {
    const ssh = sshFacts()
    // The remote side prints the login password from a file, so the job text never holds it.
    const passwordFile = `/tmp/ops-pw-${RUN}`
    writeFileSync(passwordFile, `${ssh.password}\n`, { mode: 0o644 })
    cleanups.push(() => rmSync(passwordFile, { force: true }))
    const pw = await credential({ name: 'opsbot-password', kind: 'SSH_PASSWORD', username: ssh.user, password: ssh.password })
    const t = await target('by-password', pw.id)
    const token = `tok-${crypto.randomBytes(12).toString('base64url')}`
    const secretive = await job({
      name: 'secretive',
      steps: [{ kind: 'COMMAND', command: 'whoami' }, { kind: 'COMMAND', command: `cat ${passwordFile}; echo {{token}}; echo "token={{token}}!" >&2` }],
      parameters: [{ name: 'token', type: 'SECRET', required: true }]
    })
    const execution = await start({ jobId: secretive.id, targetIds: [t.id], parameters: { token } })
    expect(await waitForEnd(execution.id)).toBe('SUCCEEDED')
    await settledOutput(h, execution.id, t.id)
    const chunks = await readOutput(h.platform.pool, execution.id, t.id, { maxBytes: 1_000_000 })
    const text = (stream: string) => Buffer.concat(chunks.filter((c) => c.stream === stream).map((c) => c.data)).toString()
    expect(text('stdout')).toBe('opsbot\n****\n****\n')
    expect(text('stderr')).toBe('token=****!\n')
    // The search does find what is there: the login name is in events, streams and output.
    expect((await leaksOf('opsbot')).map((where) => where.split(' ')[0])).toEqual(expect.arrayContaining(['events', 'execution_output', 'logs']))
    expect(await leaksOf(token)).toEqual([])
    expect(await leaksOf(ssh.password)).toEqual([])
  })

  it('masks SECRET parameters in failure reasons too: a failing upload path that holds one', async () => {
    const local = await run(registerTarget({ name: 'local-for-reasons', address: 'localhost', connection: 'LOCAL', tags: [] }, context()))
    const token = `tok-${crypto.randomBytes(12).toString('base64url')}`
    const upload = await job({
      name: 'upload-nowhere',
      steps: [{ kind: 'UPLOAD', path: `/nonexistent-${RUN}/{{token}}/file`, content: 'x' }],
      parameters: [{ name: 'token', type: 'SECRET', required: true }]
    })
    const execution = await start({ jobId: upload.id, targetIds: [local.id], parameters: { token } })
    expect(await waitForEnd(execution.id)).toBe('FAILED')
    const { rows } = await h.platform.pool.query<{ reason: string }>('SELECT reason FROM target_runs WHERE execution_id = $1', [execution.id])
    expect(rows[0]!.reason).toContain('/****/file')
    expect(await leaksOf(token)).toEqual([])
  })

  it('logs in with a key protected by a passphrase', async () => {
    const ssh = sshFacts()
    const key = await credential({ name: 'opsbot-pp-key', kind: 'SSH_KEY', username: ssh.user, privateKey: readFileSync(ssh.passphraseKeyPath, 'utf8'), passphrase: ssh.passphrase })
    const t = await target('by-passphrase-key', key.id)
    const hello = await job({ name: 'pp-hello', steps: [{ kind: 'COMMAND', command: 'echo "key ok as $(whoami)"' }] })
    const execution = await start({ jobId: hello.id, targetIds: [t.id] })
    expect(await waitForEnd(execution.id)).toBe('SUCCEEDED')
    expect(await outputOf(execution.id, t.id)).toBe('key ok as opsbot\n')
    expect(h.logs.some((line) => line.includes(ssh.passphrase))).toBe(false)
  })

  it('pins the host key on first use, then refuses a target whose pinned key does not match', async () => {
    const ssh = sshFacts()
    const key = await credential({ name: 'opsbot-hk-key', kind: 'SSH_KEY', username: ssh.user, privateKey: readFileSync(ssh.keyPath, 'utf8') })
    const t = await target('pinned-host', key.id)
    const marker = `/tmp/ops-hk-${RUN}`
    cleanups.push(() => rmSync(marker, { force: true }))
    const touch = await job({ name: 'hk-touch', steps: [{ kind: 'COMMAND', command: `touch ${marker}-$(date +%s%N); echo ran` }] })
    const first = await start({ jobId: touch.id, targetIds: [t.id] })
    expect(await waitForEnd(first.id)).toBe('SUCCEEDED')
    const pinned = await h.platform.pool.query<{ host_key: string }>('SELECT host_key FROM targets WHERE id = $1', [t.id])
    expect(pinned.rows[0]!.host_key).toBe(`ssh-ed25519 ${ssh.hostKeyFingerprint}`)

    const wrong = `ssh-ed25519 SHA256:${crypto.createHash('sha256').update(RUN).digest('base64').replace(/=+$/, '')}`
    const repinned = await h.run(h.platform, targets, { type: 'PinHostKey', targetId: t.id, hostKey: wrong, replace: true, at: new Date().toISOString() })
    expect(repinned._tag).toBe('Success')
    const remoteFilesBefore = await remoteMarkers(marker)
    const second = await start({ jobId: touch.id, targetIds: [t.id] })
    expect(await waitForEnd(second.id)).toBe('FAILED')
    const failed = await runOf(second.id)
    expect(failed!.status).toBe('FAILED')
    expect(failed!.reason).toContain('host key of target pinned-host')
    expect(failed!.reason).toContain(wrong.split(' ')[1])
    expect(failed!.reason).toContain(ssh.hostKeyFingerprint)
    // Nothing ran: no step was started and the remote side saw no command.
    const steps = await h.platform.pool.query("SELECT count(*)::int AS n FROM events WHERE stream = $1 AND type = 'StepStarted'", [`execution-${second.id}`])
    expect(steps.rows[0].n).toBe(0)
    expect(await remoteMarkers(marker)).toEqual(remoteFilesBefore)
    expect(await outputOf(second.id, t.id)).toBe('')
  })

  it('stores a 20 MB output completely, in order, with bounded memory, while a live follower reads it all', async () => {
    const ssh = sshFacts()
    const key = await credential({ name: 'opsbot-big-key', kind: 'SSH_KEY', username: ssh.user, privateKey: readFileSync(ssh.keyPath, 'utf8') })
    const t = await target('big-output', key.id)
    const big = await job({ name: 'big', steps: [{ kind: 'COMMAND', command: "head -c 20000000 /dev/zero | tr '\\0' x" }] })
    // Warm up (connection, pinning, code paths) so the baseline is the steady state.
    const warm = await job({ name: 'warm', steps: [{ kind: 'COMMAND', command: 'head -c 100000 /dev/zero | tr "\\0" x' }] })
    expect(await waitForEnd((await start({ jobId: warm.id, targetIds: [t.id] })).id)).toBe('SUCCEEDED')

    // Buffers live outside the JS heap, so count them too.
    const used = () => {
      const m = process.memoryUsage()
      return m.heapUsed + m.arrayBuffers
    }
    global.gc?.()
    const baseline = used()
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, used())), 20)
    const began = Date.now()
    const execution = await start({ jobId: big.id, targetIds: [t.id] })

    const follower = (async () => {
      const stop = new AbortController()
      const timer = setTimeout(() => stop.abort(), 60_000)
      let bytes = 0
      let expectedSeq = 1
      let outOfOrder = 0
      let foreign = 0
      let lastAt = 0
      for await (const chunk of followOutput(h.platform.nc, h.platform.eventLog.names, { executionId: execution.id, targetId: t.id, fromPosition: 1 }, stop.signal)) {
        if (chunk.seq !== expectedSeq) outOfOrder++
        expectedSeq = chunk.seq + 1
        bytes += chunk.data.length
        if (Buffer.from(chunk.data).some((b) => b !== 0x78)) foreign++
        if (bytes >= 20_000_000) {
          lastAt = Date.now()
          break
        }
      }
      clearTimeout(timer)
      stop.abort()
      return { bytes, chunks: expectedSeq - 1, outOfOrder, foreign, ms: lastAt - began }
    })()

    expect(await waitForEnd(execution.id, 60_000)).toBe('SUCCEEDED')
    const live = await follower
    const stored = await storedOutput(execution.id, t.id, 20_000_000)
    clearInterval(sampler)
    peak = Math.max(peak, used())
    const growthMb = (peak - baseline) / 1e6
    console.log(
      `20 MB run: SUCCEEDED after ${Date.now() - began} ms; live follower got ${live.bytes} B in ${live.chunks} chunks by ${live.ms} ms; ` +
        `stored ${stored.bytes} B in ${stored.chunks} chunks; heap + buffers growth in this process (worker, sinks, follower) ${growthMb.toFixed(1)} MB`
    )
    expect(live).toMatchObject({ bytes: 20_000_000, outOfOrder: 0, foreign: 0 })
    expect(stored).toMatchObject({ bytes: 20_000_000, first: 1, last: stored.chunks, foreign: 0 })
    const sizes = await h.platform.pool.query<{ bytes: string }>("SELECT output_bytes AS bytes FROM target_runs WHERE execution_id = $1", [execution.id])
    expect(Number(sizes.rows[0]!.bytes)).toBe(20_000_000)
    expect(growthMb).toBeLessThan(150)
  }, 90_000)

  it('runs 3 steps on 50 aliases of one sshd, 10 at a time, each target with its own output', async () => {
    // Each alias logs in with its own key, which the remote account maps to the alias' name
    // (a forced command exporting OPS_ALIAS): the output proves which target it came from.
    const ssh = sshFacts()
    const home = homeOf(ssh.user)!
    const authorized = path.join(home, '.ssh', 'authorized_keys')
    const tag = `ops-alias-${RUN}`
    cleanups.push(() => {
      const kept = readFileSync(authorized, 'utf8').split('\n').filter((line) => !line.includes(tag))
      writeFileSync(authorized, kept.join('\n'))
    })
    const aliases = Array.from({ length: 50 }, (_, i) => `alias-${String(i).padStart(2, '0')}`)
    const lines: string[] = []
    const ids = new Map<string, string>()
    for (const alias of aliases) {
      const pair = keyPair(`${tag}-${alias}`)
      lines.push(`command="export OPS_ALIAS=${alias}; exec /bin/sh -c \\"$SSH_ORIGINAL_COMMAND\\"" ${pair.public}`)
      const key = await credential({ name: `key-${alias}`, kind: 'SSH_KEY', username: ssh.user, privateKey: pair.private })
      ids.set(alias, (await run(registerTarget({ name: alias, address: ssh.host, port: ssh.port, connection: 'SSH', credentialId: key.id, tags: ['aliases'] }, context()))).id)
    }
    const current = readFileSync(authorized, 'utf8')
    writeFileSync(authorized, `${current}${current.endsWith('\n') ? '' : '\n'}${lines.join('\n')}\n`)

    const three = await job({
      name: 'three-per-alias',
      steps: [
        { kind: 'COMMAND', command: 'echo "one $OPS_ALIAS"' },
        { kind: 'SCRIPT', script: 'sleep 0.05\necho "two $OPS_ALIAS {{word}}"' },
        { kind: 'COMMAND', command: 'echo "three $OPS_ALIAS"; echo "err $OPS_ALIAS" >&2' }
      ],
      parameters: [{ name: 'word', type: 'STRING', required: true }]
    })
    const began = Date.now()
    const execution = await start({ jobId: three.id, targetFilter: 'tag:aliases', parameters: { word: 'hello' }, options: { parallelism: 10 } })
    const status = await waitForEnd(execution.id, 60_000)
    if (status !== 'SUCCEEDED') {
      const { rows } = await h.platform.pool.query("SELECT target_name, status, reason FROM target_runs WHERE execution_id = $1 AND status <> 'SUCCEEDED'", [execution.id])
      console.log(rows)
    }
    expect(status).toBe('SUCCEEDED')
    console.log(`50 aliases × 3 steps, parallelism 10: ${Date.now() - began} ms`)
    const runs = await h.platform.pool.query<{ target_name: string; status: string; started_at: Date; finished_at: Date }>(
      'SELECT target_name, status, started_at, finished_at FROM target_runs WHERE execution_id = $1',
      [execution.id]
    )
    expect(runs.rows).toHaveLength(50)
    expect(runs.rows.every((r) => r.status === 'SUCCEEDED')).toBe(true)
    for (const alias of aliases) {
      const chunks = await readOutput(h.platform.pool, execution.id, ids.get(alias)!, { maxBytes: 1_000_000 })
      const stdout = Buffer.concat(chunks.filter((c) => c.stream === 'stdout').map((c) => c.data)).toString()
      const stderr = Buffer.concat(chunks.filter((c) => c.stream === 'stderr').map((c) => c.data)).toString()
      expect(stdout).toBe(`one ${alias}\ntwo ${alias} hello\nthree ${alias}\n`)
      expect(stderr).toBe(`err ${alias}\n`)
      expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i + 1))
    }
  }, 90_000)
})

/** Files the host-key job's earlier runs left on the remote side (it stamps each run). */
const remoteMarkers = async (prefix: string): Promise<string[]> => {
  const dir = path.dirname(prefix)
  const base = path.basename(prefix)
  const found = readdirSync(dir).filter((f) => f.startsWith(`${base}-`)).sort()
  for (const f of found) cleanups.push(() => rmSync(path.join(dir, f), { force: true }))
  return found
}

/**
 * A fresh ed25519 key pair in OpenSSH form. ssh2 1.17 writes about 1 in 200 private keys that
 * its own parser then rejects ("Malformed OpenSSH private key"), so only parseable ones are kept.
 */
const keyPair = (comment: string): { private: string; public: string } => {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment })
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error)) return pair
  }
}
