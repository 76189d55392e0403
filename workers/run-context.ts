import { Effect } from 'effect'
import type { BusNames, NatsConnection } from '../bus/index.ts'
import { credentials } from '../domains/credentials/index.ts'
import { type ExecutionParameterValue } from '../domains/executions/index.ts'
import type { ParameterValue } from '../domains/jobs/index.ts'
import { targets, type TargetState } from '../domains/targets/index.ts'
import { handleCommand, loadState, type CommandContext } from '../commands/handler.ts'
import { Vault } from '../commands/secrets.ts'
import type { CommandServices } from '../runtime/platform.ts'
import type { ManagedRuntime } from 'effect'
import type { ExecutionTarget, Executor, TargetSecret } from './executors/index.ts'

export interface WorkerDeps {
  readonly workerId: string
  readonly commands: ManagedRuntime.ManagedRuntime<CommandServices, never>
  readonly nc: NatsConnection
  readonly names: BusNames
  readonly executor: Executor
  /** For steps that set no timeout (neither the step nor the run options). */
  readonly defaultStepTimeoutSeconds: number
  readonly log: (message: string, fields?: Record<string, unknown>) => void
}

/** Worker reports are commands like any other, with ids derived from the work item: idempotent on redelivery. */
export const workerContext = (deps: WorkerDeps, commandId: string): CommandContext => ({
  commandId,
  actor: { kind: 'system', id: deps.workerId, name: 'worker' },
  now: new Date().toISOString(),
  awaitCommittedMs: 0
})

/** Where and as whom a target run connects, from the target and credential aggregates. */
export const connectionFor = (targetId: string) =>
  Effect.gen(function* () {
    const target: TargetState = yield* loadState(targets, targetId, true)
    if (target.status !== 'active') return { ok: false, reason: `target ${targetId} was removed` } as const
    const executionTarget: ExecutionTarget = {
      targetId,
      name: target.name,
      address: target.address,
      port: target.port,
      connection: target.connection,
      pinnedHostKey: target.hostKey
    }
    if (!target.credentialId) return { ok: true, target: executionTarget, secret: null } as const
    const credential = yield* loadState(credentials, target.credentialId, true)
    if (credential.status !== 'active') return { ok: false, reason: `the credential of target ${target.name} was deleted` } as const
    const material = JSON.parse(yield* (yield* Vault).open(credential.secret)) as Omit<TargetSecret, 'username'>
    const secret: TargetSecret = { username: credential.username, ...material }
    return { ok: true, target: executionTarget, secret } as const
  })

/** SECRET parameter values are opened only here, in the worker's memory, for the run. */
export const openParameters = (values: Readonly<Record<string, ExecutionParameterValue>>) =>
  Effect.gen(function* () {
    const vault = yield* Vault
    const plain: Record<string, ParameterValue> = {}
    const secrets: string[] = []
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === 'object') {
        const { sealed: _, algorithm: __, ...rest } = value
        const opened = yield* vault.open({ ...rest, algorithm: 'aes-256-gcm' })
        plain[name] = opened
        secrets.push(opened)
      } else {
        plain[name] = value
      }
    }
    return { plain, secrets }
  })

/** Pins the host key seen on first connection into the target (an event), so later runs verify it. */
export const pinHostKey = (deps: WorkerDeps, targetId: string, hostKey: string, workId: string) =>
  handleCommand(targets, { type: 'PinHostKey', targetId, hostKey, at: new Date().toISOString() }, workerContext(deps, `${workId}/pin-host-key`)).pipe(
    Effect.as('accept' as const),
    Effect.orElseSucceed(() => 'reject' as const)
  )
