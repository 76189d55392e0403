import { createHash, randomBytes } from 'node:crypto'
import { Effect } from 'effect'
import { apiTokens, type Role } from '../domains/users/index.ts'
import { handleCommand, type CommandContext } from './handler.ts'
import { idFromCommand } from './ids.ts'

export const API_TOKEN_PREFIX = 'opc_'
const API_TOKEN = /^opc_[A-Za-z0-9_-]{43}$/

/** What is stored and looked up: SHA-256 of the whole token, hex. A token has 256 random bits, so no salt or slow hash is needed. */
export const apiTokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex')

/** Cheap shape check before any lookup: JWTs and garbage never reach the token table. */
export const looksLikeApiToken = (value: string): boolean => API_TOKEN.test(value)

export interface CreateApiTokenInput {
  readonly name: string
  readonly role: Role
  readonly expiresAt?: string | null
}

/**
 * Creates a token for an external system. The plain token is returned once, here; only its hash
 * goes into the event. A replay of an accepted command id cannot show the token again (it was
 * never stored), so `token` is null then.
 */
export const createApiToken = (input: CreateApiTokenInput, context: CommandContext) =>
  Effect.gen(function* () {
    const tokenId = idFromCommand(context.commandId, 'apitoken')
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url')
    const result = yield* handleCommand(
      apiTokens,
      { type: 'CreateApiToken', tokenId, name: input.name, role: input.role, tokenHash: apiTokenHash(token), expiresAt: input.expiresAt ?? null, at: context.now },
      context
    )
    return { ...result, token: result.replayed ? null : token }
  })

export const revokeApiToken = (tokenId: string, context: CommandContext) =>
  handleCommand(apiTokens, { type: 'RevokeApiToken', tokenId, at: context.now }, context)
