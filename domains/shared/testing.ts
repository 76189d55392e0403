import { expect } from 'vitest'
import type { Decider, DomainEvent, Rejection } from './decider.ts'

/**
 * given(events).when(command).then(events) — decider specs that read like the business.
 * Test-only: imported from `*.test.ts` files, never from domain code.
 */
export const specFor = <C, E extends DomainEvent, S, R extends Rejection>(decider: Decider<C, E, S, R>) =>
  (given: ReadonlyArray<E> = []) => ({
    when: (command: C) => {
      const state = given.reduce(decider.evolve, decider.initialState)
      const decision = decider.decide(command, state)
      return {
        then: (expected: ReadonlyArray<E>) => {
          if (!decision.ok) throw new Error(`expected events, got rejection ${decision.rejection._tag}: ${decision.rejection.message}`)
          expect(decision.events).toEqual(expected)
        },
        thenNothing: () => {
          if (!decision.ok) throw new Error(`expected no events, got rejection ${decision.rejection._tag}: ${decision.rejection.message}`)
          expect(decision.events).toEqual([])
        },
        thenRejects: (tag: R['_tag'], field?: string) => {
          if (decision.ok) throw new Error(`expected rejection ${tag}, got events ${JSON.stringify(decision.events)}`)
          expect(decision.rejection._tag).toBe(tag)
          if (field !== undefined) expect(decision.rejection.field).toBe(field)
          return decision.rejection
        }
      }
    }
  })
