// Executors: run rendered job steps on targets (SSH, or the worker's own machine) and stream
// their output. The worker drives them; nothing here touches the bus or the database.
export type * from './types.ts'
export { ConnectFailed, HostKeyMismatch, HostKeyRejected, UnsafeParameter, UnsupportedTarget } from './errors.ts'
export { renderStep, shellQuote } from './shell.ts'
export { createMasker, MASK, MIN_SECRET_LENGTH, type Masker } from './masker.ts'
export { hostKeyFingerprint } from './host-key.ts'
export { createSshExecutor, DEFAULT_SSH_OPTIONS, type SshExecutor, type SshExecutorOptions } from './ssh-executor.ts'
export { DEFAULT_POOL_LIMITS, SshPool, type PoolLimits } from './ssh-pool.ts'
export { createLocalExecutor, type LocalExecutorOptions } from './local-executor.ts'
export { executorByConnection } from './router.ts'
