// A loopback sshd for tests of SSH execution: its own config, host key and pid file in
// `dataDir`, a local user `opsbot` with a password and two client keys (one with a passphrase).
// Needs root (it creates a user and sshd checks passwords against /etc/shadow).
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { aptInstall } from './local-apt.ts'
import { addLease, leasedStop, withDirLock } from './local-lease.ts'
import {
  homeOf, isRoot, mkdirp, pickPort, pidRuns, readGreeting, readIntFile, runOk, run, tailFile, terminate, userIds, waitFor, which, type Log
} from './local-util.ts'

export interface SshdHandle {
  host: '127.0.0.1'
  port: number
  user: string
  password: string
  /** Private key without passphrase. */
  keyPath: string
  /** Private key protected by `passphrase`. */
  passphraseKeyPath: string
  passphrase: string
  /** `SHA256:…`, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string
  /** `ssh-ed25519 AAAA…` (a known_hosts entry without the host part). */
  hostPublicKey: string
  started: boolean
  stop(): Promise<void>
}

export interface EnsureSshdOptions {
  dataDir: string
  log: Log
  /** Port for the sshd we start, if free (default 2222). */
  preferPort?: number
  user?: string
}

const randomSecret = () => crypto.randomBytes(18).toString('base64url')

export async function ensureSshd(opts: EnsureSshdOptions): Promise<SshdHandle> {
  const user = opts.user ?? 'opsbot'
  if (!isRoot()) {
    throw new Error(`ensureSshd needs root (it creates user ${user} and sshd must read /etc/shadow); ` +
      'run as root or point the tests at an existing server with OPS_TEST_SSH_* variables')
  }
  const dir = mkdirp(opts.dataDir, 0o700)
  return withDirLock(dir, async () => {
    const sshd = await ensureOpenSsh(opts.log)
    // One password per user and machine: runs with different data dirs must not reset it under each other.
    const password = secretFile(path.join(mkdirp('/var/lib/opsconductor-test', 0o700), `${user}.password`))
    const passphrase = secretFile(path.join(dir, 'passphrase'))
    const keyPath = await keyPair(path.join(dir, 'client_ed25519'), '')
    const passphraseKeyPath = await keyPair(path.join(dir, 'client_ed25519_pp'), passphrase)
    const hostKey = await keyPair(path.join(dir, 'host_ed25519'), '')
    await ensureUser(user, password, [`${keyPath}.pub`, `${passphraseKeyPath}.pub`])
    const fingerprint = (await runOk('ssh-keygen', ['-lf', `${hostKey}.pub`])).stdout.split(' ')[1] ?? ''
    const hostPublicKey = fs.readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')
    const facts = { host: '127.0.0.1' as const, user, password, keyPath, passphraseKeyPath, passphrase, hostKeyFingerprint: fingerprint, hostPublicKey }

    const config = path.join(dir, 'sshd_config')
    const pidFile = path.join(dir, 'sshd.pid')
    const logFile = path.join(dir, 'sshd.log')
    const stopOurs = (pid: number) => async () => {
      await terminate(pid)
      fs.rmSync(pidFile, { force: true })
      opts.log(`stopped sshd (pid ${pid})`)
    }
    const prevPid = readIntFile(pidFile)
    const prevPort = readIntFile(path.join(dir, 'port'))
    if (prevPid && prevPort && pidRuns(prevPid, ['sshd', config])) {
      if ((await banner(prevPort)) !== undefined) {
        opts.log(`reusing our sshd on 127.0.0.1:${prevPort} (pid ${prevPid}, data ${opts.dataDir})`)
        return { ...facts, port: prevPort, started: false, stop: leasedStop(dir, addLease(dir), stopOurs(prevPid)) }
      }
      await terminate(prevPid, 2_000) // ours but not answering
    }

    const port = await pickPort(opts.preferPort ?? 2222)
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }) // privilege-separation dir, also for `sshd -t`
    await writeConfig(sshd, config, { port, hostKey, pidFile, user })
    fs.rmSync(pidFile, { force: true })
    // sshd daemonises: the command returns once the listener is forked.
    const r = await run(sshd, ['-f', config, '-E', logFile], { timeoutMs: 15_000 })
    if (r.code !== 0) throw new Error(`sshd failed to start (exit ${r.code}): ${r.stderr.trim()}\n${tailFile(logFile)}`)
    let greeting: string
    try {
      greeting = await waitFor(`sshd banner on 127.0.0.1:${port}`, 10_000, () => banner(port))
    } catch (err) {
      const pid = readIntFile(pidFile)
      if (pid) await terminate(pid, 2_000)
      throw new Error(`${(err as Error).message}\n${tailFile(logFile)}`)
    }
    const pid = await waitFor(`sshd pid file ${pidFile}`, 5_000, async () => readIntFile(pidFile))
    fs.writeFileSync(path.join(dir, 'port'), `${port}\n`)
    opts.log(`started sshd (${greeting}) on 127.0.0.1:${port} for user ${user} (pid ${pid}, data ${opts.dataDir})`)
    return { ...facts, port, started: true, stop: leasedStop(dir, addLease(dir), stopOurs(pid)) }
  })
}

async function banner(port: number): Promise<string | undefined> {
  try {
    const line = await readGreeting('127.0.0.1', port, 2_000)
    return line.startsWith('SSH-2.0') ? line : undefined
  } catch {
    return undefined
  }
}

async function ensureOpenSsh(log: Log): Promise<string> {
  const missing = [
    ...(which('sshd') ? [] : ['openssh-server']),
    ...(which('ssh-keygen') && which('ssh') ? [] : ['openssh-client'])
  ]
  if (missing.length > 0) {
    log(`${missing.join(' and ')} missing; installing`)
    try {
      await aptInstall(['openssh-server', 'openssh-client'], log)
    } catch (err) {
      throw new Error(`sshd/ssh-keygen not found and apt-get install failed: ${(err as Error).message}`)
    }
  }
  const sshd = which('sshd')
  if (!sshd) throw new Error('sshd still not found after installing openssh-server')
  return sshd
}

/** Reads the secret in `file`, creating it first if missing (atomically: parallel runs agree). */
function secretFile(file: string): string {
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, `${randomSecret()}\n`, { mode: 0o600 })
    try {
      fs.linkSync(tmp, file)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    } finally {
      fs.rmSync(tmp, { force: true })
    }
  }
  return fs.readFileSync(file, 'utf8').trim()
}

async function keyPair(file: string, passphrase: string): Promise<string> {
  if (!fs.existsSync(file) || !fs.existsSync(`${file}.pub`)) {
    fs.rmSync(file, { force: true })
    fs.rmSync(`${file}.pub`, { force: true })
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', `opsconductor-test-${path.basename(file)}`, '-f', file])
  }
  return file
}

async function ensureUser(user: string, password: string, pubKeyFiles: readonly string[]): Promise<void> {
  if (!userIds(user)) {
    await runOk('useradd', ['-m', '-s', '/bin/bash', user]).catch((err: Error) => {
      if (!userIds(user)) throw err // else a parallel run created it first
    })
  }
  // Setting the password also unlocks the account (a locked `!` account is refused even with a key).
  await runOk('chpasswd', [], { input: `${user}:${password}\n` })
  const ids = userIds(user)
  const home = homeOf(user)
  if (!ids || !home) throw new Error(`user ${user} has no entry in /etc/passwd`)
  const sshDir = path.join(home, '.ssh')
  fs.mkdirSync(sshDir, { recursive: true, mode: 0o700 })
  const authFile = path.join(sshDir, 'authorized_keys')
  const current = fs.existsSync(authFile) ? fs.readFileSync(authFile, 'utf8') : ''
  const wanted = pubKeyFiles.map((f) => fs.readFileSync(f, 'utf8').trim()).filter((k) => !current.includes(k))
  if (wanted.length > 0) fs.appendFileSync(authFile, `${current && !current.endsWith('\n') ? '\n' : ''}${wanted.join('\n')}\n`)
  fs.chmodSync(sshDir, 0o700)
  fs.chmodSync(authFile, 0o600)
  fs.chownSync(home, ids.uid, ids.gid)
  fs.chownSync(sshDir, ids.uid, ids.gid)
  fs.chownSync(authFile, ids.uid, ids.gid)
}

async function writeConfig(sshd: string, config: string, o: { port: number; hostKey: string; pidFile: string; user: string }): Promise<void> {
  const lines = [
    '# opsconductor test sshd (generated)',
    'ListenAddress 127.0.0.1',
    `Port ${o.port}`,
    `HostKey ${o.hostKey}`,
    `PidFile ${o.pidFile}`,
    'AuthorizedKeysFile .ssh/authorized_keys',
    'PubkeyAuthentication yes',
    // Without PAM, sshd checks passwords against /etc/shadow itself (tested in test/infra.test.ts).
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PermitRootLogin no',
    `AllowUsers ${o.user}`,
    'StrictModes no',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    'LoginGraceTime 30',
    'MaxSessions 200',
    'MaxStartups 400:30:800',
    'MaxAuthTries 10',
    'LogLevel ERROR',
    'Subsystem sftp internal-sftp',
    // OpenSSH >= 9.8 throttles sources after failed logins; tests fail logins on purpose.
    'PerSourcePenalties no'
  ]
  for (;;) {
    fs.writeFileSync(config, `${lines.join('\n')}\n`, { mode: 0o600 })
    const t = await run(sshd, ['-t', '-f', config], { timeoutMs: 10_000 })
    if (t.code === 0) return
    const bad = lines.findIndex((l) => l.startsWith('PerSourcePenalties'))
    if (bad >= 0 && /PerSourcePenalties/i.test(t.stderr)) {
      lines.splice(bad, 1) // older sshd: the option does not exist, nor the throttling
      continue
    }
    throw new Error(`sshd -t -f ${config} rejected the config: ${t.stderr.trim()}`)
  }
}
