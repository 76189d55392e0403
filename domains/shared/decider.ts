/**
 * The shape every aggregate follows (Chassaing's decider). `decide` returns the events a
 * command produces — an empty list means "already done" (idempotent) — or a tagged rejection.
 * `evolve` folds one event into state and never throws.
 */
export interface DomainEvent<T extends string = string, D = unknown> {
  readonly type: T
  readonly data: D
}

/**
 * Why a command was refused. `category` is what callers act on (the API maps it to
 * BAD_USER_INPUT / NOT_FOUND / CONFLICT); `_tag` is the domain's own name for the case.
 */
export type RejectionCategory = 'invalid' | 'missing' | 'conflict'

export interface Rejection<Tag extends string = string> {
  readonly _tag: Tag
  readonly category: RejectionCategory
  readonly message: string
  /** Input field at fault, when the rejection is about bad input. */
  readonly field?: string
}

export type Decision<E extends DomainEvent, R extends Rejection = Rejection> =
  | { readonly ok: true; readonly events: ReadonlyArray<E> }
  | { readonly ok: false; readonly rejection: R }

export interface Decider<C, E extends DomainEvent, S, R extends Rejection = Rejection> {
  readonly initialState: S
  readonly evolve: (state: S, event: E) => S
  readonly decide: (command: C, state: S) => Decision<E, R>
  readonly isTerminal?: (state: S) => boolean
}

export const accept = <E extends DomainEvent>(...events: ReadonlyArray<E>): Decision<E, never> => ({
  ok: true,
  events
})

export const reject = <R extends Rejection>(rejection: R): Decision<never, R> => ({ ok: false, rejection })

export const fold = <E extends DomainEvent, S>(decider: { initialState: S; evolve: (s: S, e: E) => S }, events: ReadonlyArray<E>): S =>
  events.reduce(decider.evolve, decider.initialState)

/** Compile-time exhaustiveness: a `switch` over a `type` or status ends here. */
export const absurd = (value: never): never => value
