// Test helpers for the executors: targets and credentials for the loopback sshd, output capture.
import fs from 'node:fs'
import { sshFacts } from '../../test/support.ts'
import type { ExecutionTarget, OpenOptions, OutputChunk, StepIo, StepSpec, TargetSecret, TargetSession } from './types.ts'

export const sshTarget = (over: Partial<ExecutionTarget> = {}): ExecutionTarget => {
  const f = sshFacts()
  return { targetId: 'tgt-1', name: 'loopback', address: f.host, port: f.port, connection: 'SSH', pinnedHostKey: `ssh-ed25519 ${f.hostKeyFingerprint}`, ...over }
}

export const localTarget = (): ExecutionTarget =>
  ({ targetId: 'tgt-local', name: 'worker', address: 'localhost', port: null, connection: 'LOCAL', pinnedHostKey: null })

export const passwordSecret = (): TargetSecret => ({ username: sshFacts().user, password: sshFacts().password })
export const keySecret = (): TargetSecret => ({ username: sshFacts().user, privateKey: fs.readFileSync(sshFacts().keyPath, 'utf8') })
export const passphraseSecret = (): TargetSecret => ({
  username: sshFacts().user,
  privateKey: fs.readFileSync(sshFacts().passphraseKeyPath, 'utf8'),
  passphrase: sshFacts().passphrase
})

export const openOptions = (over: Partial<OpenOptions> = {}): OpenOptions => ({
  onHostKey: async () => 'reject',
  signal: new AbortController().signal,
  ...over
})

export const command = (text: string, timeoutSeconds: number | null = null): StepSpec => ({ index: 0, kind: 'COMMAND', command: text, timeoutSeconds })

/** Output of one step, kept whole (fine for small outputs in tests). */
export interface Captured {
  readonly chunks: OutputChunk[]
  readonly io: StepIo
  text(stream: OutputChunk['stream']): string
}

export function capture(signal: AbortSignal = new AbortController().signal): Captured {
  const chunks: OutputChunk[] = []
  return {
    chunks,
    io: { onOutput: (chunk) => chunks.push(chunk), signal },
    text: (stream) => Buffer.concat(chunks.filter((c) => c.stream === stream).map((c) => c.data)).toString('utf8')
  }
}

/** Runs a command and returns its stdout (asserting nothing). */
export async function stdoutOf(session: TargetSession, text: string): Promise<string> {
  const out = capture()
  await session.runStep(command(text), out.io)
  return out.text('stdout')
}

/** A value unique to this test run, so parallel runs on the shared sshd never see each other. */
export const uniqueSleep = (base: number): string => `sleep ${base}.${process.pid}${Math.floor(Math.random() * 1000)}`
