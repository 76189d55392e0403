import { absurd, accept, firstInvalid, reject, type Decider, type Decision } from '../shared/index.ts'
import type { ChangeUserPassword, ChangeUserRole, DisableUser, EnableUser, RegisterUser, Role, UserCommand } from './commands.ts'
import { userAlreadyRegistered, userNotFound, type UserRejection } from './errors.ts'
import type { UserEvent } from './events.ts'
import { checkPasswordHash, checkRole, checkUserId, checkUsername } from './validate.ts'

export type UserState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'active' | 'disabled'
      readonly userId: string
      readonly username: string
      readonly passwordHash: string
      readonly role: Role
    }

type ExistingUser = Exclude<UserState, { status: 'absent' }>

export const initialState: UserState = { status: 'absent' }

export const evolve = (state: UserState, event: UserEvent): UserState => {
  switch (event.type) {
    case 'UserRegistered':
      return { status: 'active', ...event.data }
    case 'UserRoleChanged':
      return state.status === 'absent' ? state : { ...state, role: event.data.role }
    case 'UserPasswordChanged':
      return state.status === 'absent' ? state : { ...state, passwordHash: event.data.passwordHash }
    case 'UserDisabled':
      return state.status === 'absent' ? state : { ...state, status: 'disabled' }
    case 'UserEnabled':
      return state.status === 'absent' ? state : { ...state, status: 'active' }
    default:
      return absurd(event)
  }
}

type UserDecision = Decision<UserEvent, UserRejection>

const register = (command: RegisterUser, state: UserState): UserDecision => {
  const fault = firstInvalid(
    checkUserId(command.userId),
    checkUsername(command.username),
    checkPasswordHash(command.passwordHash),
    checkRole(command.role)
  )
  if (fault) return reject(fault)
  const { userId, username, passwordHash, role } = command
  if (state.status !== 'absent') {
    const same = state.username === username && state.passwordHash === passwordHash && state.role === role
    return same ? accept() : reject(userAlreadyRegistered(userId, state.username))
  }
  return accept({ type: 'UserRegistered', data: { userId, username, passwordHash, role } })
}

/** Every command but RegisterUser needs the user to exist; disabled users can still be managed. */
const existing = (userId: string, state: UserState, then: (user: ExistingUser) => UserDecision): UserDecision => {
  const fault = checkUserId(userId)()
  if (fault) return reject(fault)
  return state.status === 'absent' ? reject(userNotFound(userId)) : then(state)
}

const changeRole = (command: ChangeUserRole, state: UserState): UserDecision =>
  existing(command.userId, state, (user) => {
    const fault = checkRole(command.role)()
    if (fault) return reject(fault)
    if (user.role === command.role) return accept()
    return accept({ type: 'UserRoleChanged', data: { userId: user.userId, role: command.role, previousRole: user.role } })
  })

const changePassword = (command: ChangeUserPassword, state: UserState): UserDecision =>
  existing(command.userId, state, (user) => {
    const fault = checkPasswordHash(command.passwordHash)()
    if (fault) return reject(fault)
    if (user.passwordHash === command.passwordHash) return accept()
    return accept({ type: 'UserPasswordChanged', data: { userId: user.userId, passwordHash: command.passwordHash } })
  })

const disable = (command: DisableUser, state: UserState): UserDecision =>
  existing(command.userId, state, (user) =>
    user.status === 'disabled' ? accept() : accept({ type: 'UserDisabled', data: { userId: user.userId } })
  )

const enable = (command: EnableUser, state: UserState): UserDecision =>
  existing(command.userId, state, (user) =>
    user.status === 'active' ? accept() : accept({ type: 'UserEnabled', data: { userId: user.userId } })
  )

export const decide = (command: UserCommand, state: UserState): UserDecision => {
  switch (command.type) {
    case 'RegisterUser':
      return register(command, state)
    case 'ChangeUserRole':
      return changeRole(command, state)
    case 'ChangeUserPassword':
      return changePassword(command, state)
    case 'DisableUser':
      return disable(command, state)
    case 'EnableUser':
      return enable(command, state)
    default:
      return absurd(command)
  }
}

export const userDecider: Decider<UserCommand, UserEvent, UserState, UserRejection> = { initialState, evolve, decide }
