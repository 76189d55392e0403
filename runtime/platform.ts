import { Layer, ManagedRuntime } from 'effect'
import { connectBus, EventLog, busNames, provisionStreams, type NatsConnection } from '../bus/index.ts'
import { AggregateCacheLive, type AggregateCache } from '../commands/aggregate-cache.ts'
import { EventStoreLive } from '../commands/event-store-live.ts'
import type { EventStore } from '../commands/event-store.ts'
import { PasswordHasherLive, VaultLive, type PasswordHasher, type Vault } from '../commands/secrets.ts'
import { InventoryLive, type Inventory } from '../commands/inventory.ts'
import { CommittedPositions } from '../projections/committed-positions.ts'
import { createPool, type Pool } from '../projections/db.ts'
import { migrate } from '../projections/migrate.ts'
import type { Logger } from './logger.ts'

export interface PlatformSettings {
  readonly natsUrl: string
  readonly databaseUrl: string
  readonly namespace: string
  readonly streamReplicas?: number
  readonly logsMaxBytes?: number
  readonly logsMaxAgeDays?: number
  readonly poolSize?: number
  /** 32 bytes; wraps every credential's data key. */
  readonly masterKey: Buffer
  /** Name shown in NATS and PostgreSQL connection lists. */
  readonly role: string
}

export type CommandServices = EventStore | AggregateCache | Vault | PasswordHasher | Inventory

/**
 * What every writing process shares: the bus connection with streams provisioned, the pool with
 * migrations applied, the committed-position follower and the Effect runtime for commands.
 */
export interface Platform {
  readonly nc: NatsConnection
  readonly eventLog: EventLog
  readonly pool: Pool
  readonly committed: CommittedPositions
  readonly commands: ManagedRuntime.ManagedRuntime<CommandServices, never>
  readonly settings: PlatformSettings
  readonly close: () => Promise<void>
}

export const openPlatform = async (settings: PlatformSettings, logger: Logger): Promise<Platform> => {
  const names = busNames(settings.namespace)
  const nc = await connectBus(settings.natsUrl, `opsconductor-${settings.role}`)
  await provisionStreams(nc, names, {
    replicas: settings.streamReplicas ?? 1,
    logsMaxBytes: settings.logsMaxBytes ?? 2 * 1024 ** 3,
    logsMaxAgeSeconds: (settings.logsMaxAgeDays ?? 7) * 86_400
  })
  const eventLog = await EventLog.open(nc, names)
  const pool = createPool(settings.databaseUrl, settings.poolSize ?? 16, `opsconductor-${settings.role}`)
  pool.on('error', (error) => logger.warn({ err: error.message }, 'idle PostgreSQL connection failed'))
  const applied = await migrate(pool)
  if (applied.length > 0) logger.info({ applied }, 'database migrated')
  const committed = new CommittedPositions(settings.databaseUrl, (m) => logger.warn(m))
  await committed.start()
  const commands = ManagedRuntime.make(
    Layer.mergeAll(
      EventStoreLive({ log: eventLog, pool, committed }),
      AggregateCacheLive,
      VaultLive({ pool, masterKey: settings.masterKey }),
      PasswordHasherLive,
      InventoryLive(pool)
    )
  )
  return {
    nc,
    eventLog,
    pool,
    committed,
    commands,
    settings,
    close: async () => {
      await commands.dispose()
      await committed.stop()
      await pool.end().catch(() => undefined)
      await nc.drain().catch(() => undefined)
    }
  }
}
