import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accessRules } from './graphql/access.ts'
import { buildSchema } from './graphql/schema.ts'
import { openApi, type TestApi } from './testing.ts'

/**
 * The access matrix: every mutation and query × every kind of caller, against this table (the
 * specification, written independently of the SDL). USER: any role, but people only (not API
 * tokens); PUBLIC: anyone, also anonymous.
 */
type Rule = 'PUBLIC' | 'USER' | 'VIEWER' | 'OPERATOR' | 'ADMIN'
const SPEC: Record<string, Rule> = {
  'Mutation.login': 'PUBLIC', 'Mutation.refreshSession': 'PUBLIC', 'Mutation.logout': 'PUBLIC',
  'Mutation.revokeAllSessions': 'USER', 'Mutation.changePassword': 'USER',
  'Mutation.createUser': 'ADMIN', 'Mutation.changeUserRole': 'ADMIN', 'Mutation.disableUser': 'ADMIN', 'Mutation.enableUser': 'ADMIN',
  'Mutation.resetUserPassword': 'ADMIN', 'Mutation.createApiToken': 'ADMIN', 'Mutation.revokeApiToken': 'ADMIN',
  'Mutation.createCredential': 'OPERATOR', 'Mutation.rotateCredential': 'OPERATOR', 'Mutation.deleteCredential': 'OPERATOR',
  'Mutation.registerTarget': 'OPERATOR', 'Mutation.updateTarget': 'OPERATOR', 'Mutation.tagTarget': 'OPERATOR', 'Mutation.untagTarget': 'OPERATOR',
  'Mutation.assignCredential': 'OPERATOR', 'Mutation.removeTarget': 'OPERATOR',
  'Mutation.defineJob': 'OPERATOR', 'Mutation.reviseJob': 'OPERATOR', 'Mutation.archiveJob': 'OPERATOR',
  'Query.me': 'VIEWER', 'Query.users': 'ADMIN', 'Query.user': 'ADMIN', 'Query.apiTokens': 'ADMIN',
  'Query.credentials': 'VIEWER', 'Query.credential': 'VIEWER', 'Query.targets': 'VIEWER', 'Query.target': 'VIEWER', 'Query.job': 'VIEWER', 'Query.jobs': 'VIEWER',
  'Query.auditLog': 'VIEWER',
  'Mutation.runJob': 'OPERATOR', 'Mutation.cancelExecution': 'OPERATOR', 'Mutation.rerunExecution': 'OPERATOR',
  'Query.execution': 'VIEWER', 'Query.executions': 'VIEWER', 'Query.executionOutput': 'VIEWER'
}

let n = 0
const id = () => randomUUID()
// One well-typed call per operation; ids are random, so an allowed call may answer NOT_FOUND.
const CALLS: Record<string, () => [string, Record<string, unknown>?]> = {
  'Mutation.login': () => ['mutation { login(username: "nobody-here", password: "wrong-password") { accessToken } }'],
  'Mutation.refreshSession': () => ['mutation { refreshSession { accessToken } }'],
  'Mutation.changePassword': () => ['mutation { changePassword(oldPassword: "not-the-password", newPassword: "another-password") }'],
  'Mutation.createUser': () => ['mutation($u: String!) { createUser(username: $u, password: "matrix-password", role: VIEWER) { id } }', { u: `matrix-${++n}` }],
  'Mutation.changeUserRole': () => ['mutation($id: ID!) { changeUserRole(id: $id, role: VIEWER) { id } }', { id: id() }],
  'Mutation.disableUser': () => ['mutation($id: ID!) { disableUser(id: $id) { id } }', { id: id() }],
  'Mutation.enableUser': () => ['mutation($id: ID!) { enableUser(id: $id) { id } }', { id: id() }],
  'Mutation.resetUserPassword': () => ['mutation($id: ID!) { resetUserPassword(id: $id, password: "matrix-password") { id } }', { id: id() }],
  'Mutation.createApiToken': () => ['mutation($n: String!) { createApiToken(name: $n, role: VIEWER) { id } }', { n: `matrix ${++n}` }],
  'Mutation.revokeApiToken': () => ['mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: id() }],
  'Mutation.createCredential': () => ['mutation($n: String!) { createCredential(name: $n, kind: SSH_PASSWORD, username: "u", password: "pw") { id } }', { n: `matrix-${++n}` }],
  'Mutation.rotateCredential': () => ['mutation($id: ID!) { rotateCredential(id: $id, password: "pw") { id } }', { id: id() }],
  'Mutation.deleteCredential': () => ['mutation($id: ID!) { deleteCredential(id: $id) }', { id: id() }],
  'Mutation.registerTarget': () => ['mutation($n: String!) { registerTarget(name: $n, address: "10.9.0.1", connection: LOCAL) { id } }', { n: `matrix-${++n}` }],
  'Mutation.updateTarget': () => ['mutation($id: ID!) { updateTarget(id: $id, address: "10.9.0.2") { id } }', { id: id() }],
  'Mutation.tagTarget': () => ['mutation($id: ID!) { tagTarget(id: $id, tags: ["x"]) { id } }', { id: id() }],
  'Mutation.untagTarget': () => ['mutation($id: ID!) { untagTarget(id: $id, tags: ["x"]) { id } }', { id: id() }],
  'Mutation.assignCredential': () => ['mutation($id: ID!) { assignCredential(id: $id, credentialId: null) { id } }', { id: id() }],
  'Mutation.removeTarget': () => ['mutation($id: ID!) { removeTarget(id: $id) }', { id: id() }],
  'Mutation.defineJob': () => ['mutation($n: String!) { defineJob(name: $n, steps: [{ kind: "COMMAND", command: "true" }]) { id } }', { n: `matrix-${++n}` }],
  'Mutation.reviseJob': () => ['mutation($id: ID!) { reviseJob(id: $id, steps: [{ kind: "COMMAND", command: "true" }]) { id } }', { id: id() }],
  'Mutation.archiveJob': () => ['mutation($id: ID!) { archiveJob(id: $id) { id } }', { id: id() }],
  'Query.me': () => ['{ me { id } }'],
  'Query.auditLog': () => ['{ auditLog(first: 1) { pageInfo { hasNextPage } } }'],
  'Mutation.runJob': () => ['mutation($id: ID!) { runJob(jobId: $id, targetFilter: "tag:none") { id } }', { id: id() }],
  'Mutation.cancelExecution': () => ['mutation($id: ID!) { cancelExecution(id: $id) { id } }', { id: id() }],
  'Mutation.rerunExecution': () => ['mutation($id: ID!) { rerunExecution(id: $id) { id } }', { id: id() }],
  'Query.execution': () => ['query($id: ID!) { execution(id: $id) { id } }', { id: id() }],
  'Query.executions': () => ['{ executions { totalCount } }'],
  'Query.executionOutput': () => ['query($e: ID!, $t: ID!) { executionOutput(executionId: $e, targetId: $t) { seq } }', { e: id(), t: id() }],
  'Query.users': () => ['{ users { totalCount } }'],
  'Query.user': () => ['query($id: ID!) { user(id: $id) { id } }', { id: id() }],
  'Query.apiTokens': () => ['{ apiTokens { totalCount } }'],
  'Query.credentials': () => ['{ credentials { totalCount } }'],
  'Query.credential': () => ['query($id: ID!) { credential(id: $id) { id } }', { id: id() }],
  'Query.targets': () => ['{ targets { totalCount } }'],
  'Query.target': () => ['query($id: ID!) { target(id: $id) { id } }', { id: id() }],
  'Query.job': () => ['query($id: ID!) { job(id: $id) { id } }', { id: id() }],
  'Query.jobs': () => ['{ jobs { totalCount } }'],
  // Last: they end the caller's session.
  'Mutation.revokeAllSessions': () => ['mutation { revokeAllSessions }'],
  'Mutation.logout': () => ['mutation { logout }']
}

interface Caller {
  readonly name: string
  readonly kind: 'anonymous' | 'user' | 'token'
  readonly role?: 'ADMIN' | 'OPERATOR' | 'VIEWER'
  token?: string
}
const CALLERS: Caller[] = [
  { name: 'anonymous', kind: 'anonymous' },
  { name: 'forged token', kind: 'anonymous', token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' },
  ...(['ADMIN', 'OPERATOR', 'VIEWER'] as const).flatMap((role): Caller[] => [
    { name: `${role} user`, kind: 'user', role },
    { name: `${role} API token`, kind: 'token', role }
  ])
]
const RANK = { VIEWER: 1, OPERATOR: 2, ADMIN: 3 } as const
const expected = (rule: Rule, caller: Caller): 'allowed' | 'UNAUTHENTICATED' | 'FORBIDDEN' => {
  if (rule === 'PUBLIC') return 'allowed'
  if (caller.kind === 'anonymous') return 'UNAUTHENTICATED'
  if (rule === 'USER') return caller.kind === 'user' ? 'allowed' : 'FORBIDDEN'
  return RANK[caller.role!] >= RANK[rule] ? 'allowed' : 'FORBIDDEN'
}
// What the access check answers; other errors (NOT_FOUND, BAD_USER_INPUT…) mean it let the call through.
const ACCESS_DENIAL = /^(authentication required|the access token is invalid, expired or revoked|\S+ requires the \w+ role|\S+ is for users, not API tokens)$/

let api: TestApi
beforeAll(async () => {
  api = await openApi()
  for (const caller of CALLERS) {
    if (caller.kind === 'user') caller.token = (await api.userToken(caller.role!)).token
    if (caller.kind === 'token') caller.token = await api.apiToken(caller.role!)
  }
})
afterAll(async () => api?.close())

describe('Access control', () => {
  it('has a rule in the specification for every operation of the schema, and the schema declares it', () => {
    const declared = accessRules(buildSchema())
    const operations = [...declared.keys()].filter((k) => /^(Query|Mutation)\./.test(k))
    expect(operations.sort()).toEqual(Object.keys(SPEC).sort())
    expect(Object.keys(CALLS).sort()).toEqual(Object.keys(SPEC).sort())
    for (const op of operations) {
      const rule = declared.get(op)!
      const asSpec: Rule = rule.public ? 'PUBLIC' : rule.usersOnly ? 'USER' : rule.requires
      expect(`${op} ${asSpec}`).toBe(`${op} ${SPEC[op]}`)
    }
  })

  for (const caller of CALLERS) {
    it(`answers every operation as specified for: ${caller.name}`, async () => {
      const outcomes: string[] = []
      const wanted: string[] = []
      for (const [operation, call] of Object.entries(CALLS)) {
        const [query, variables] = call()
        const answer = await api.gql(query, variables ?? {}, { token: caller.token, ip: '10.77.0.1' })
        const denial = answer.errors?.find((e) => ACCESS_DENIAL.test(e.message))
        outcomes.push(`${operation}: ${denial ? String(denial.extensions?.code) : 'allowed'}`)
        wanted.push(`${operation}: ${expected(SPEC[operation]!, caller)}`)
      }
      expect(outcomes).toEqual(wanted)
    })
  }
})
