import { randomBytes } from 'node:crypto'
import { Effect } from 'effect'
import { registerUser } from '../../commands/users.ts'
import { anyUserExists } from '../../projections/queries/users.ts'
import type { Logger } from '../../runtime/logger.ts'
import type { Platform } from '../../runtime/platform.ts'

export interface FirstAdmin {
  readonly username: string
  /** OPS_ADMIN_PASSWORD; when absent a one-time password is generated and logged once. */
  readonly password?: string | undefined
}

// How long start-up waits for the projections to catch up before deciding "no user exists".
const CATCH_UP_MS = 30_000

/**
 * First-admin bootstrap (API.md): when no user exists, create the admin. The command id is fixed,
 * so API replicas starting together create one admin: the others' commands are replays, and only
 * the replica whose command took effect prints a generated password.
 */
export const ensureFirstAdmin = async (platform: Platform, admin: FirstAdmin, logger: Logger): Promise<void> => {
  // "No user" must not be a sink that is still catching up on an existing log.
  const end = await platform.eventLog.lastSequence()
  if (!(await platform.committed.waitFor(end, CATCH_UP_MS))) {
    logger.warn('first-admin check skipped: the projections did not catch up with the event log in time (is a sink running?)')
    return
  }
  if (await anyUserExists(platform.pool)) return
  const generated = admin.password === undefined
  const password = admin.password ?? randomBytes(15).toString('base64url')
  const context = {
    commandId: `bootstrap:first-admin:${admin.username}`,
    actor: { kind: 'system' as const, id: 'bootstrap', name: 'first-admin bootstrap' },
    now: new Date().toISOString()
  }
  const outcome = await platform.commands.runPromise(Effect.result(registerUser({ username: admin.username, password, role: 'ADMIN' }, context)))
  if (outcome._tag === 'Failure') {
    logger.error({ reason: outcome.failure.message }, 'could not create the first admin')
    return
  }
  if (outcome.success.replayed) return
  if (generated)
    logger.warn(
      `created the first admin "${admin.username}" with the one-time password ${password} (shown only now: log in and change it with changePassword)`
    )
  else logger.info({ username: admin.username }, 'created the first admin from OPS_ADMIN_PASSWORD')
}
