import { Data } from 'effect'

/** The target offered a host key other than the pinned one: we stopped before authenticating. */
export class HostKeyMismatch extends Data.TaggedError('HostKeyMismatch')<{
  readonly targetId: string
  readonly targetName: string
  readonly expected: string
  readonly offered: string
}> {
  override get message(): string {
    return `host key of target ${this.targetName} (${this.targetId}) changed: expected ${this.expected}, offered ${this.offered}; ` +
      'refusing to connect (re-pin the key if the change is legitimate)'
  }
}

/** No key was pinned and the worker declined the one offered (first-use pinning refused). */
export class HostKeyRejected extends Data.TaggedError('HostKeyRejected')<{
  readonly targetId: string
  readonly targetName: string
  readonly offered: string
}> {
  override get message(): string {
    return `host key ${this.offered} of target ${this.targetName} (${this.targetId}) was not accepted`
  }
}

/** Could not reach or log in to the target (refused, timeout, authentication failed, cancelled). */
export class ConnectFailed extends Data.TaggedError('ConnectFailed')<{
  readonly targetId: string
  readonly targetName: string
  readonly reason: string
}> {
  override get message(): string {
    return `cannot connect to target ${this.targetName} (${this.targetId}): ${this.reason}`
  }
}

/** The executor cannot serve this kind of target (e.g. WINRM given to the SSH executor). */
export class UnsupportedTarget extends Data.TaggedError('UnsupportedTarget')<{
  readonly targetId: string
  readonly connection: string
}> {
  override get message(): string {
    return `target ${this.targetId} uses ${this.connection}, which this executor does not run`
  }
}

/** A parameter value cannot be placed safely where the step refers to it. */
export class UnsafeParameter extends Data.TaggedError('UnsafeParameter')<{
  readonly step: number
  readonly reason: string
}> {
  override get message(): string {
    return `step ${this.step}: ${this.reason}`
  }
}
