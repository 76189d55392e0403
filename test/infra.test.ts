// The test services themselves: JetStream is on, databases come and go, and the loopback sshd
// accepts the key, the passphrase key and the password it was set up with.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import pg from 'pg'
import { busNames, isStaleTestStream } from '../bus/index.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase, natsUrl, pgAdminUrl, sshFacts, uniqueNamespace } from './support.ts'

interface Ran { code: number; stdout: string; stderr: string }

const exec = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Ran> =>
  new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })

const firstLine = (host: string, port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const sock = net.connect({ host, port })
    sock.setTimeout(5_000, () => sock.destroy(new Error('no banner within 5 s')))
    sock.once('data', (d: Buffer) => {
      resolve(d.toString('utf8').split('\n')[0] ?? '')
      sock.destroy()
    })
    sock.once('error', reject)
  })

describe('NATS', () => {
  it('answers with JetStream enabled', async () => {
    const nc = await connect({ servers: natsUrl(), timeout: 5_000 })
    try {
      const info = await (await jetstreamManager(nc)).getAccountInfo()
      expect(info.limits).toBeDefined()
    } finally {
      await nc.close()
    }
  })
})

describe('PostgreSQL', () => {
  it('creates and drops a fresh database', async () => {
    const db = await freshDatabase('infra')
    expect(db.name).toMatch(/^ops_t_infra_[0-9a-z]{17}$/)
    const client = new pg.Client({ connectionString: db.url })
    client.on('error', () => undefined) // the forced drop below terminates this session
    await client.connect()
    const r = await client.query<{ db: string }>('SELECT current_database() AS db')
    expect(r.rows[0]?.db).toBe(db.name)
    await db.drop() // while `client` is still connected: the drop forces it out
    await client.end().catch(() => undefined)
    const admin = new pg.Client({ connectionString: pgAdminUrl() })
    await admin.connect()
    const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name])
    await admin.end()
    expect(left.rowCount).toBe(0)
  })
})

describe('bus namespaces', () => {
  it('are lowercase tokens that differ, under the prefix stale-stream clean-up looks for', () => {
    const names = new Set(Array.from({ length: 1000 }, uniqueNamespace))
    expect(names.size).toBe(1000)
    for (const ns of names) expect(ns).toMatch(/^opstest_[0-9a-z]{7}$/)
  })

  it('let the stale-stream clean-up remove old test streams and nothing of an installation', () => {
    const now = Date.parse('2026-01-02T00:00:00Z')
    const old = '2026-01-01T00:00:00Z'
    const stale = (name: string, created = old) => isStaleTestStream(name, created, 6 * 3600_000, now)
    const test = busNames(uniqueNamespace())
    for (const name of [test.eventsStream, test.logsStream, test.workStream]) expect(stale(name)).toBe(true)
    expect(stale(test.eventsStream, '2026-01-01T20:00:00Z')).toBe(false)
    for (const ns of ['ops', 'tenant01', 'T1234567', 'prod', 'opstest']) {
      const real = busNames(ns)
      for (const name of [real.eventsStream, real.logsStream, real.workStream]) expect(stale(name)).toBe(false)
    }
  })
})

describe('sshd', () => {
  const ssh = sshFacts()
  let dir: string
  let knownHosts: string
  let askpass: string

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-infra-ssh-'))
    // Strict host-key checking against the reported key proves OPS_TEST_SSH_HOST_PUBKEY right.
    knownHosts = path.join(dir, 'known_hosts')
    fs.writeFileSync(knownHosts, `[${ssh.host}]:${ssh.port} ${ssh.hostPublicKey}\n`)
    askpass = path.join(dir, 'askpass.sh')
    fs.writeFileSync(askpass, '#!/bin/sh\nprintf "%s\\n" "$OPS_ASKPASS_SECRET"\n', { mode: 0o700 })
  })
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  const sshArgs = (...extra: string[]) => [
    '-p', String(ssh.port), '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes',
    '-o', 'ConnectTimeout=10', '-o', 'IdentitiesOnly=yes', '-F', '/dev/null', ...extra, `${ssh.user}@${ssh.host}`, 'echo ok'
  ]
  // ssh reads a password or passphrase from SSH_ASKPASS when forced to, even without a terminal.
  const askpassEnv = (secret: string) => ({ ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0', OPS_ASKPASS_SECRET: secret })

  it('answers with an SSH-2.0 banner', async () => {
    expect(await firstLine(ssh.host, ssh.port)).toMatch(/^SSH-2\.0-/)
  })

  it('reports its host key fingerprint in SHA256 form', () => {
    expect(ssh.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
  })

  it('accepts the client key', async () => {
    const r = await exec('ssh', sshArgs('-o', 'BatchMode=yes', '-i', ssh.keyPath))
    expect(r.stderr).toBe('')
    expect(r.stdout.trim()).toBe('ok')
  })

  it('accepts the passphrase-protected key with its passphrase', async () => {
    const r = await exec('ssh', sshArgs('-o', 'BatchMode=no', '-o', 'PasswordAuthentication=no', '-i', ssh.passphraseKeyPath), askpassEnv(ssh.passphrase))
    expect(r.stdout.trim()).toBe('ok')
  })

  it('accepts the password and refuses a wrong one', async () => {
    const only = ['-o', 'BatchMode=no', '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password', '-o', 'NumberOfPasswordPrompts=1']
    const good = await exec('ssh', sshArgs(...only), askpassEnv(ssh.password))
    expect(good.stdout.trim()).toBe('ok')
    const bad = await exec('ssh', sshArgs(...only), askpassEnv(`${ssh.password}-wrong`))
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/Permission denied/)
  })
})
