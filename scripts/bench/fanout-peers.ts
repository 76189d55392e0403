// The anchors of the fan-out benchmark, measured against the same loopback sshd in the same run:
// bare ssh2 (the physical limit of one Node process), parallel-ssh and Ansible ad-hoc.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Client } from 'ssh2'
import { aptInstall } from '../../runtime/local-apt.ts'
import { run, which } from '../../runtime/local-util.ts'
import { hostKeyFingerprint } from '../../workers/executors/host-key.ts'

export interface LoopbackSsh {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly keyPath: string
  /** `ssh-ed25519 SHA256:…`: the peers that can check it do. */
  readonly hostKey: string
}

export interface PeerTiming {
  readonly seconds: number
  readonly ok: number
}

/** `items` through `work`, `parallel` at a time. */
export const inParallel = async <T>(items: ReadonlyArray<T>, parallel: number, work: (item: T) => Promise<void>): Promise<void> => {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!)
    })
  )
}

const connect = (ssh: LoopbackSsh, privateKey: Buffer): Promise<Client> =>
  new Promise((resolve, reject) => {
    const sock = net.connect({ host: ssh.host, port: ssh.port })
    sock.setNoDelay(true) // Nagle costs ~40 ms per small command
    const client = new Client()
    client.on('ready', () => resolve(client))
    client.on('error', reject)
    client.connect({ sock, username: ssh.user, privateKey, hostVerifier: (key: Buffer) => hostKeyFingerprint(key) === ssh.hostKey })
  })

const execOn = (client: Client, command: string): Promise<{ code: number | null; stdout: string }> =>
  new Promise((resolve, reject) => {
    client.exec(command, (err, channel) => {
      if (err) return reject(err)
      let stdout = ''
      let code: number | null = null
      channel.on('data', (d: Buffer) => (stdout += d.toString()))
      channel.stderr.resume()
      channel.on('exit', (c: number | null) => (code = c))
      channel.on('close', () => resolve({ code, stdout }))
    })
  })

/** (a) The physical limit: a fresh connection per target (connect, run, close), `parallel` at a time. */
export const bareSsh2Fresh = async (ssh: LoopbackSsh, targets: number, parallel: number, command: string): Promise<PeerTiming> => {
  const key = await readFile(ssh.keyPath)
  let ok = 0
  const started = performance.now()
  await inParallel(Array.from({ length: targets }, (_, i) => i), parallel, async () => {
    const client = await connect(ssh, key)
    const r = await execOn(client, command)
    client.end()
    if (r.code === 0 && (command === 'true' || r.stdout.length > 0)) ok++
  })
  return { seconds: (performance.now() - started) / 1000, ok }
}

/** Commands per second over `connections` open connections: what the sshd allows once handshakes are paid. */
export const bareSsh2Warm = async (ssh: LoopbackSsh, connections: number, commands: number, command: string): Promise<PeerTiming> => {
  const key = await readFile(ssh.keyPath)
  const clients: Client[] = []
  await inParallel(Array.from({ length: connections }, (_, i) => i), 10, async () => void clients.push(await connect(ssh, key)))
  try {
    for (const c of clients.slice(0, 4)) await execOn(c, command) // warm-up
    let ok = 0
    let next = 0
    const started = performance.now()
    await Promise.all(
      clients.map(async (client) => {
        while (next < commands) {
          next++
          if ((await execOn(client, command)).code === 0) ok++
        }
      })
    )
    return { seconds: (performance.now() - started) / 1000, ok }
  } finally {
    for (const c of clients) c.end()
  }
}

/** Installs parallel-ssh and Ansible from Debian when missing; false when that is impossible here. */
export const ensurePeerTools = async (log: (line: string) => void): Promise<{ pssh: boolean; ansible: boolean }> => {
  const missing = [...(which('parallel-ssh') ? [] : ['pssh']), ...(which('ansible') ? [] : ['ansible'])]
  if (missing.length > 0) {
    log(`installing peers: apt-get install --no-install-recommends ${missing.join(' ')}`)
    await aptInstall(missing, log).catch((error: unknown) => log(`could not install ${missing.join(', ')}: ${error instanceof Error ? error.message : String(error)}`))
  }
  return { pssh: which('parallel-ssh') !== undefined, ansible: which('ansible') !== undefined }
}

/** N distinct host aliases (`fan-<i>`) that all reach the loopback sshd. */
const aliases = (n: number) => Array.from({ length: n }, (_, i) => `fan-${i}`)

/**
 * (b) parallel-ssh. It names its output files by host, so identical host lines would overwrite
 * each other's output: distinct aliases resolve to the one sshd through an ssh_config.
 */
export const psshFanout = async (ssh: LoopbackSsh, targets: number, parallel: number, command: string): Promise<PeerTiming> => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ops-bench-pssh-'))
  try {
    const config = path.join(dir, 'ssh_config')
    await writeFile(
      config,
      [
        'Host fan-*',
        `  HostName ${ssh.host}`,
        `  Port ${ssh.port}`,
        `  User ${ssh.user}`,
        `  IdentityFile ${ssh.keyPath}`,
        '  IdentitiesOnly yes',
        '  StrictHostKeyChecking no',
        '  UserKnownHostsFile /dev/null',
        '  LogLevel ERROR',
        ''
      ].join('\n')
    )
    const hosts = path.join(dir, 'hosts')
    await writeFile(hosts, `${aliases(targets).join('\n')}\n`)
    const out = path.join(dir, 'out')
    const started = performance.now()
    const r = await run('parallel-ssh', ['-h', hosts, '-p', String(parallel), '-t', '300', '-o', out, '-x', `-F ${config}`, command], { timeoutMs: 600_000 })
    const seconds = (performance.now() - started) / 1000
    const files = await readdir(out).catch(() => [] as string[])
    let ok = 0
    for (const f of files) if ((await readFile(path.join(out, f), 'utf8')).length > 0 || command === 'true') ok++
    if (r.code !== 0) throw new Error(`parallel-ssh exited ${r.code}: ${r.stderr.slice(-500) || r.stdout.slice(-500)}`)
    return { seconds, ok }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** (c) Ansible ad-hoc `command` module with its default SSH settings, host key checking off. */
export const ansibleFanout = async (ssh: LoopbackSsh, targets: number, forks: number, command: string): Promise<PeerTiming> => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ops-bench-ansible-'))
  try {
    const inventory = path.join(dir, 'inventory.ini')
    await writeFile(
      inventory,
      [
        '[fan]',
        ...aliases(targets).map((a) => `${a} ansible_host=${ssh.host}`),
        '[fan:vars]',
        `ansible_port=${ssh.port}`,
        `ansible_user=${ssh.user}`,
        `ansible_ssh_private_key_file=${ssh.keyPath}`,
        'ansible_python_interpreter=/usr/bin/python3',
        ''
      ].join('\n')
    )
    const env = { ...process.env, ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_HOME: path.join(dir, 'home'), ANSIBLE_LOCAL_TEMP: path.join(dir, 'tmp'), ANSIBLE_NOCOLOR: '1' }
    const started = performance.now()
    const r = await run('ansible', ['all', '-i', inventory, '-m', 'command', '-a', command, '-f', String(forks), '-o'], { env, timeoutMs: 900_000 })
    const seconds = (performance.now() - started) / 1000
    const ok = r.stdout.split('\n').filter((line) => /\| (CHANGED|SUCCESS) \| rc=0/.test(line)).length
    if (r.code !== 0) throw new Error(`ansible exited ${r.code}: ${r.stdout.slice(-500)} ${r.stderr.slice(-500)}`)
    return { seconds, ok }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
