import { absurd } from '../shared/index.ts'
import type { ConnectionKind } from './commands.ts'
import type { TargetEvent } from './events.ts'

export interface TargetFields {
  readonly targetId: string
  /** Kept so the handler can reserve a new name and release the old one. */
  readonly name: string
  readonly address: string
  readonly port: number | null
  readonly connection: ConnectionKind
  readonly credentialId: string | null
  readonly tags: ReadonlyArray<string>
  readonly attributes: Readonly<Record<string, string>>
  readonly hostKey: string | null
}

export type TargetState =
  | { readonly status: 'absent' }
  | ({ readonly status: 'active' } & TargetFields)
  | ({ readonly status: 'removed' } & TargetFields)

export type ActiveTarget = Extract<TargetState, { status: 'active' }>

export const initialState: TargetState = { status: 'absent' }

export const evolve = (state: TargetState, event: TargetEvent): TargetState => {
  if (event.type === 'TargetRegistered') return { status: 'active', ...event.data, hostKey: null }
  // Every later event only refines an active target; anything else is left as it is.
  if (state.status !== 'active') return state
  switch (event.type) {
    case 'TargetUpdated': {
      const { targetId: _id, ...changes } = event.data
      return { ...state, ...changes }
    }
    case 'TargetTagged':
      return { ...state, tags: [...new Set([...state.tags, ...event.data.tags])].sort() }
    case 'TargetUntagged':
      return { ...state, tags: state.tags.filter((tag) => !event.data.tags.includes(tag)) }
    case 'TargetCredentialAssigned':
      return { ...state, credentialId: event.data.credentialId }
    case 'TargetCredentialUnassigned':
      return { ...state, credentialId: null }
    case 'TargetHostKeyPinned':
      return { ...state, hostKey: event.data.hostKey }
    case 'TargetRemoved':
      return { ...state, status: 'removed' }
    default:
      return absurd(event)
  }
}

export const isTerminal = (state: TargetState): boolean => state.status === 'removed'
