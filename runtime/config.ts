/**
 * Process configuration, read once from the environment and validated as a whole: start-up
 * fails listing every missing or invalid variable. This is the only module that reads
 * `process.env` for settings. Secrets are kept out of `describe()`.
 */
export interface Config {
  readonly natsUrl: string | undefined
  readonly databaseUrl: string | undefined
  readonly masterKey: string | undefined
  readonly port: number
  readonly host: string
  readonly adminUsername: string
  readonly adminPassword: string | undefined
  /** Signs access tokens (HKDF-derived); unset: derived from the master key. */
  readonly jwtSecret: string | undefined
  /** Which proxies' X-Forwarded-For/-Proto to believe (client address for throttling, https for cookies). */
  readonly trustProxy: boolean | number | string
  readonly namespace: string
  readonly dataDir: string
  readonly streamReplicas: number
  readonly logsMaxBytes: number
  readonly logsMaxAgeDays: number
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error'
  /** Target runs one worker process works on at once. */
  readonly workerSlots: number
  /** Step timeout when neither the step nor the run sets one. */
  readonly stepTimeoutSeconds: number
  /** A silent worker's work item goes to another worker after this long (heartbeats every 5 s). */
  readonly workAckWaitSeconds: number
}

export class ConfigError extends Error {
  readonly _tag = 'ConfigError'
  constructor(readonly problems: ReadonlyArray<string>) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`)
  }
}

type Env = Record<string, string | undefined>

export const loadConfig = (env: Env = process.env): Config => {
  const problems: string[] = []
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`)
      return fallback
    }
    return n
  }
  const url = (name: string, schemes: ReadonlyArray<string>): string | undefined => {
    const raw = env[name]?.trim()
    if (!raw) return undefined
    for (const part of raw.split(',')) {
      try {
        const u = new URL(part.trim())
        if (!schemes.includes(u.protocol.replace(':', ''))) problems.push(`${name} must use ${schemes.join(' or ')}:// (got ${u.protocol}//…)`)
      } catch {
        problems.push(`${name} is not a URL`)
      }
    }
    return raw
  }
  const logLevels = ['trace', 'debug', 'info', 'warn', 'error'] as const
  const logLevel = (env.OPS_LOG_LEVEL ?? 'info') as Config['logLevel']
  if (!logLevels.includes(logLevel)) problems.push(`OPS_LOG_LEVEL must be one of ${logLevels.join(', ')}`)
  const namespace = env.OPS_NAMESPACE ?? 'ops'
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(namespace)) problems.push('OPS_NAMESPACE must be lower-case letters, digits or _ (max 31), starting with a letter')
  const masterKey = env.OPS_MASTER_KEY?.trim() || undefined
  if (masterKey && !isMasterKey(masterKey)) problems.push('OPS_MASTER_KEY must be 32 bytes, base64 or hex encoded (e.g. `openssl rand -base64 32`)')
  const adminPassword = env.OPS_ADMIN_PASSWORD || undefined
  if (adminPassword !== undefined && adminPassword.length < 8) problems.push('OPS_ADMIN_PASSWORD must be at least 8 characters')

  const jwtSecret = env.OPS_JWT_SECRET || undefined
  if (jwtSecret !== undefined && jwtSecret.length < 32) problems.push('OPS_JWT_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`)')
  const trustProxy = parseTrustProxy(env.OPS_TRUST_PROXY)
  if (trustProxy === undefined) problems.push('OPS_TRUST_PROXY must be true, false, a hop count, or a comma-separated list of proxy addresses/CIDRs')

  const config: Config = {
    natsUrl: url('NATS_URL', ['nats', 'tls', 'ws', 'wss']),
    databaseUrl: url('DATABASE_URL', ['postgres', 'postgresql']),
    masterKey,
    port: int('PORT', 4000, 0, 65535),
    host: env.HOST ?? '0.0.0.0',
    adminUsername: (env.OPS_ADMIN_USERNAME ?? 'admin').toLowerCase(),
    adminPassword,
    jwtSecret,
    trustProxy: trustProxy ?? false,
    namespace,
    dataDir: env.OPS_DATA_DIR ?? '.ops-data',
    streamReplicas: int('OPS_STREAM_REPLICAS', 1, 1, 5),
    logsMaxBytes: int('OPS_LOGS_MAX_BYTES', 2 * 1024 ** 3, 1024 ** 2, Number.MAX_SAFE_INTEGER),
    logsMaxAgeDays: int('OPS_LOGS_MAX_AGE_DAYS', 7, 1, 3650),
    logLevel,
    workerSlots: int('OPS_WORKER_SLOTS', 64, 1, 4096),
    stepTimeoutSeconds: int('OPS_STEP_TIMEOUT_SECONDS', 3600, 1, 7 * 86_400),
    workAckWaitSeconds: int('OPS_WORK_ACK_WAIT_SECONDS', 30, 2, 3600)
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return config
}

const parseTrustProxy = (raw: string | undefined): boolean | number | string | undefined => {
  const value = raw?.trim()
  if (!value || value === 'false') return false
  if (value === 'true') return true
  if (/^\d{1,2}$/.test(value)) return Number(value)
  return /^[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*$/.test(value) ? value : undefined
}

const isMasterKey = (text: string): boolean =>
  /^[0-9a-fA-F]{64}$/.test(text) || Buffer.from(text, 'base64').length === 32

/** What start-up prints: never a secret, never a password inside a URL. */
export const describeConfig = (c: Config): Record<string, unknown> => ({
  natsUrl: c.natsUrl ? redactUrl(c.natsUrl) : '(start a local nats-server)',
  databaseUrl: c.databaseUrl ? redactUrl(c.databaseUrl) : '(start a local PostgreSQL)',
  masterKey: c.masterKey ? '(set)' : '(generated into the data dir)',
  port: c.port,
  jwtSecret: c.jwtSecret ? '(set)' : '(derived from the master key)',
  trustProxy: c.trustProxy,
  namespace: c.namespace,
  dataDir: c.dataDir,
  streamReplicas: c.streamReplicas
})

export const redactUrl = (raw: string): string =>
  raw
    .split(',')
    .map((part) => {
      try {
        const u = new URL(part.trim())
        if (u.password) u.password = '***'
        return u.toString()
      } catch {
        return '(unparseable)'
      }
    })
    .join(',')
