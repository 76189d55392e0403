import { UnsupportedTarget } from './errors.ts'
import type { ExecutionTarget, Executor } from './types.ts'

/** One executor for the worker: each target goes to the executor of its connection kind. */
export function executorByConnection(executors: Partial<Record<ExecutionTarget['connection'], Executor>>): Executor {
  return {
    async open(target, secret, opts) {
      const executor = executors[target.connection]
      if (!executor) throw new UnsupportedTarget({ targetId: target.targetId, connection: target.connection })
      return executor.open(target, secret, opts)
    }
  }
}
