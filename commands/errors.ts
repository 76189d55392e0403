import { Data } from 'effect'
import type { Rejection } from '../domains/shared/index.ts'

/** The domain refused the command; `rejection.category` tells the caller what kind of refusal. */
export class Rejected extends Data.TaggedError('Rejected')<{ readonly rejection: Rejection }> {
  override get message(): string {
    return this.rejection.message
  }
}

/** Other writers kept moving the aggregate while we retried; the caller may try again later. */
export class ConcurrencyConflict extends Data.TaggedError('ConcurrencyConflict')<{
  readonly stream: string
  readonly attempts: number
}> {
  override get message(): string {
    return `${this.stream} was changed concurrently ${this.attempts} times in a row; try again`
  }
}

/** NATS or PostgreSQL did not answer as expected. Never carries command data (it may be secret). */
export class StoreUnavailable extends Data.TaggedError('StoreUnavailable')<{ readonly reason: string }> {
  override get message(): string {
    return `event store unavailable: ${this.reason}`
  }
}

/** A wrong last sequence answer from the bus, before retries turn it into a ConcurrencyConflict. */
export class VersionMismatch extends Data.TaggedError('VersionMismatch')<{ readonly stream: string }> {}
