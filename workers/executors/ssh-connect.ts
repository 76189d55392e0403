import net from 'node:net'
import { Client, type ConnectConfig } from 'ssh2'
import { ConnectFailed, HostKeyMismatch, HostKeyRejected } from './errors.ts'
import { hostKeyAlgorithms, hostKeyFingerprint, sameHostKey } from './host-key.ts'
import type { ExecutionTarget, HostKeyDecision, TargetSecret } from './types.ts'

export interface SshConnectOptions {
  /** Handshake + authentication (and the first-use host key question) must finish in this time. */
  readonly readyTimeoutMs: number
  /** Finds dead idle connections; 0 disables. */
  readonly keepaliveIntervalMs: number
  readonly keepaliveCountMax: number
  onHostKey(seen: string): Promise<HostKeyDecision>
}

export type ConnectError = ConnectFailed | HostKeyMismatch | HostKeyRejected

/**
 * An authenticated ssh2 client for the target. The host key is checked during key exchange,
 * before any credential is sent: a pinned key that differs fails with HostKeyMismatch.
 */
export function connectSsh(target: ExecutionTarget, secret: TargetSecret | null, opts: SshConnectOptions): Promise<Client> {
  const failed = (reason: string) => new ConnectFailed({ targetId: target.targetId, targetName: target.name, reason })
  if (secret === null) return Promise.reject(failed('no credential is assigned'))
  if (!secret.password && !secret.privateKey) return Promise.reject(failed('the credential has neither a password nor a private key'))

  return new Promise<Client>((resolve, reject) => {
    let hostKeyError: ConnectError | null = null
    let settled = false
    const settle = (err: ConnectError | null) => {
      if (settled) return
      settled = true
      if (err) {
        client.end()
        sock.destroy()
        reject(err)
      } else resolve(client)
    }
    const verify: ConnectConfig['hostVerifier'] = (key: Buffer, accept: (valid: boolean) => void): void => {
      const offered = hostKeyFingerprint(key)
      if (target.pinnedHostKey !== null) {
        const ok = sameHostKey(target.pinnedHostKey, offered)
        if (!ok) hostKeyError = new HostKeyMismatch({ targetId: target.targetId, targetName: target.name, expected: target.pinnedHostKey, offered })
        accept(ok)
        return
      }
      opts.onHostKey(offered).then(
        (decision) => {
          if (decision !== 'accept') hostKeyError = new HostKeyRejected({ targetId: target.targetId, targetName: target.name, offered })
          accept(decision === 'accept')
        },
        (err: unknown) => {
          hostKeyError = failed(`host key check failed: ${err instanceof Error ? err.message : String(err)}`)
          accept(false)
        }
      )
    }

    // Our own socket so Nagle can be switched off: with it every small command waits ~40 ms.
    const sock = net.connect({ host: target.address, port: target.port ?? 22 })
    sock.setNoDelay(true)
    const client = new Client()
    client.on('ready', () => settle(null))
    // The pool listens for later errors; this listener also keeps them from crashing the process.
    client.on('error', (err: Error & { level?: string }) => settle(hostKeyError ?? failed(describe(err))))
    client.on('close', () => settle(hostKeyError ?? failed('connection closed during the handshake')))
    try {
      client.connect({
        sock,
        username: secret.username,
        ...(secret.password ? { password: secret.password } : {}),
        ...(secret.privateKey ? { privateKey: secret.privateKey } : {}),
        ...(secret.passphrase ? { passphrase: secret.passphrase } : {}),
        readyTimeout: opts.readyTimeoutMs,
        keepaliveInterval: opts.keepaliveIntervalMs,
        keepaliveCountMax: opts.keepaliveCountMax,
        hostVerifier: verify,
        algorithms: { serverHostKey: hostKeyAlgorithms(target.pinnedHostKey) }
      })
    } catch (err) {
      // ssh2 throws synchronously for an unreadable key or a missing passphrase.
      settle(failed(err instanceof Error ? err.message : String(err)))
    }
  })
}

function describe(err: Error & { level?: string }): string {
  switch (err.level) {
    case 'client-authentication':
      return `authentication failed (${err.message})`
    case 'client-timeout':
      return 'timed out during the SSH handshake'
    default:
      return err.message
  }
}
