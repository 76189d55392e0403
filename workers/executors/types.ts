// The port between the worker and the machines it runs steps on. The worker opens one session per
// target and execution, runs the rendered steps in order and closes it; executors are pure I/O
// adapters (no bus, no database) so they can be tested against a real sshd and the local shell.

/** Where a step runs, as the worker knows it from the target's projection. */
export interface ExecutionTarget {
  readonly targetId: string
  readonly name: string
  readonly address: string
  /** null: the connection's default port (22 for SSH). */
  readonly port: number | null
  readonly connection: 'SSH' | 'LOCAL' | 'WINRM'
  /** `<key type> SHA256:<base64>` as `ssh-keygen -l` prints it; null until pinned on first use. */
  readonly pinnedHostKey: string | null
}

/** The decrypted credential; it lives only in the worker's memory for the length of a run. */
export interface TargetSecret {
  readonly username: string
  readonly password?: string
  /** PEM / OpenSSH private key text. */
  readonly privateKey?: string
  readonly passphrase?: string
}

/** One step after parameter substitution (see `renderStep`). */
export interface StepSpec {
  readonly index: number
  readonly kind: 'COMMAND' | 'SCRIPT' | 'UPLOAD'
  readonly command?: string
  readonly script?: string
  /** Absolute path or program name; '/bin/sh' when absent. */
  readonly interpreter?: string
  readonly path?: string
  readonly content?: string
  /** Octal, e.g. '0644'; null/absent keeps the target's default for new files. */
  readonly mode?: string | null
  /** null: no limit here; the worker fills in its default before calling. */
  readonly timeoutSeconds: number | null
}

export interface OutputChunk {
  readonly stream: 'stdout' | 'stderr'
  readonly data: Buffer
}

export interface StepResult {
  /** null when the process ended by a signal or never ran. */
  readonly exitCode: number | null
  /** e.g. 'SIGKILL' when the process (SSH: the remote one) died by a signal. */
  readonly signal: string | null
  readonly timedOut: boolean
  readonly cancelled: boolean
  readonly durationMs: number
  /** Bytes the step wrote to stdout + stderr, counted before masking. */
  readonly outputBytes: number
  /** Why the step could not run or finish normally (never holds secrets); null otherwise. */
  readonly error: string | null
}

export interface StepIo {
  /** Called as output arrives, stdout and stderr separately; keep it fast. */
  onOutput(chunk: OutputChunk): void
  /**
   * Back-pressure: a promise while the output taken so far is not yet delivered (the executor
   * stops reading the step's output until it settles), or null to go on.
   */
  readonly pressure?: () => Promise<void> | null
  /** Abort = cancel: the whole process tree of the step is terminated. */
  readonly signal: AbortSignal
}

export interface TargetSession {
  runStep(step: StepSpec, io: StepIo): Promise<StepResult>
  /** Gives the connection back (SSH: to the pool, where it idles for reuse). */
  close(): Promise<void>
}

export type HostKeyDecision = 'accept' | 'reject'

export interface OpenOptions {
  /** Asked when the target has no pinned key; the worker pins `seen` on first use by an event. */
  onHostKey(seen: string): Promise<HostKeyDecision>
  readonly signal: AbortSignal
  /**
   * Values to mask in output (SECRET parameter values); the credential's password and passphrase
   * are always added. Values shorter than 4 characters are not masked (too many false hits).
   */
  readonly mask?: ReadonlyArray<string>
}

export interface Executor {
  open(target: ExecutionTarget, secret: TargetSecret | null, opts: OpenOptions): Promise<TargetSession>
}
