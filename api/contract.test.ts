import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApi, type GqlAnswer, type TestApi } from './testing.ts'

// Every operation the API exposes today, called the way a client would (API.md's contract plus
// the additions), checking the shapes and that each change is visible to the next query.
let api: TestApi
let token: string
beforeAll(async () => {
  api = await openApi()
  token = api.adminToken
})
afterAll(async () => api?.close())

const ok = async <T = Record<string, any>>(answer: Promise<GqlAnswer<T>>): Promise<T> => {
  const a = await answer
  if (a.errors) throw new Error(`unexpected errors: ${JSON.stringify(a.errors)}`)
  return a.data as T
}
const run = <T = Record<string, any>>(query: string, variables?: Record<string, unknown>) => ok<T>(api.gql<T>(query, variables, { token }))

const SSH_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----'
const TARGET = 'id name address port connection tags attributes hostKey createdAt updatedAt credential { id name kind username }'

describe('targets and credentials', () => {
  let credentialId: string
  let targetId: string

  it('creates a credential and never answers its secret', async () => {
    const answer = await api.gql(
      `mutation($k: String!) { createCredential(name: "deploy key", kind: SSH_KEY, username: "deploy", privateKey: $k) { id name kind username createdAt rotatedAt } }`,
      { k: SSH_KEY },
      { token }
    )
    expect(answer.errors).toBeUndefined()
    expect(answer.data?.createCredential).toMatchObject({ name: 'deploy key', kind: 'SSH_KEY', username: 'deploy', rotatedAt: null })
    expect(answer.raw).not.toContain('PRIVATE KEY')
    credentialId = answer.data?.createCredential.id
  })

  it('registers a target with a credential, tags and attributes', async () => {
    const data = await run(
      `mutation($c: ID) { registerTarget(name: "web-01", address: "10.1.0.1", connection: SSH, credentialId: $c, tags: ["web", "prod"], attributes: { os: "linux" }) { ${TARGET} } }`,
      { c: credentialId }
    )
    expect(data.registerTarget).toMatchObject({
      name: 'web-01', address: '10.1.0.1', port: 22, connection: 'SSH', tags: ['prod', 'web'], attributes: { os: 'linux' }, hostKey: null,
      credential: { id: credentialId, name: 'deploy key', kind: 'SSH_KEY', username: 'deploy' }
    })
    targetId = data.registerTarget.id
  })

  it('reads the target back by id and through a filter, with paging', async () => {
    await run('mutation { a: registerTarget(name: "web-02", address: "web02.example.com", connection: SSH, tags: ["web"]) { id } b: registerTarget(name: "db-01", address: "10.1.0.9", connection: WINRM, tags: ["db"]) { id } }')
    const byId = await run(`query($id: ID!) { target(id: $id) { ${TARGET} } }`, { id: targetId })
    expect(byId.target.name).toBe('web-01')
    const first = await run('{ targets(filter: "tag:web", first: 1) { totalCount edges { node { name } } pageInfo { hasNextPage endCursor } } }')
    expect(first.targets).toMatchObject({ totalCount: 2, edges: [{ node: { name: 'web-01' } }], pageInfo: { hasNextPage: true } })
    const next = await run('query($after: String) { targets(filter: "tag:web", first: 1, after: $after) { edges { node { name } } pageInfo { hasNextPage } } }', {
      after: first.targets.pageInfo.endCursor
    })
    expect(next.targets).toMatchObject({ edges: [{ node: { name: 'web-02' } }], pageInfo: { hasNextPage: false } })
    const all = await run('{ targets { totalCount } }')
    expect(all.targets.totalCount).toBe(3)
  })

  it('updates, tags, untags and unassigns', async () => {
    const updated = await run(`mutation($id: ID!) { updateTarget(id: $id, address: "10.1.0.2", port: 2222, attributes: { os: "linux", rack: "r1" }) { address port attributes } }`, { id: targetId })
    expect(updated.updateTarget).toEqual({ address: '10.1.0.2', port: 2222, attributes: { os: 'linux', rack: 'r1' } })
    const tagged = await run('mutation($id: ID!) { tagTarget(id: $id, tags: ["canary"]) { tags } }', { id: targetId })
    expect(tagged.tagTarget.tags).toEqual(['canary', 'prod', 'web'])
    const untagged = await run('mutation($id: ID!) { untagTarget(id: $id, tags: ["prod"]) { tags } }', { id: targetId })
    expect(untagged.untagTarget.tags).toEqual(['canary', 'web'])
    const unassigned = await run('mutation($id: ID!) { assignCredential(id: $id, credentialId: null) { credential { id } } }', { id: targetId })
    expect(unassigned.assignCredential.credential).toBeNull()
    const assigned = await run('mutation($id: ID!, $c: ID) { assignCredential(id: $id, credentialId: $c) { credential { id } } }', { id: targetId, c: credentialId })
    expect(assigned.assignCredential.credential.id).toBe(credentialId)
  })

  it('rotates and lists credentials, then deletes one', async () => {
    const rotated = await run('mutation($id: ID!, $k: String!) { rotateCredential(id: $id, privateKey: $k, username: "deployer") { username rotatedAt } }', { id: credentialId, k: SSH_KEY })
    expect(rotated.rotateCredential.username).toBe('deployer')
    expect(rotated.rotateCredential.rotatedAt).toMatch(/Z$/)
    const other = await run('mutation { createCredential(name: "win admin", kind: WINRM_PASSWORD, username: "Administrator", password: "s3cret-pass") { id } }')
    const list = await run('{ credentials { totalCount edges { node { name } } } ssh: credentials(kind: SSH_KEY) { totalCount } }')
    expect(list.credentials.edges.map((e: any) => e.node.name)).toEqual(['deploy key', 'win admin'])
    expect(list.ssh.totalCount).toBe(1)
    const deleted = await run('mutation($id: ID!) { deleteCredential(id: $id) }', { id: other.createCredential.id })
    expect(deleted.deleteCredential).toBe(other.createCredential.id)
    expect((await run('query($id: ID!) { credential(id: $id) { id } }', { id: other.createCredential.id })).credential).toBeNull()
  })

  it('removes a target', async () => {
    expect((await run('mutation($id: ID!) { removeTarget(id: $id) }', { id: targetId })).removeTarget).toBe(targetId)
    expect((await run('query($id: ID!) { target(id: $id) { id } }', { id: targetId })).target).toBeNull()
  })
})

describe('jobs', () => {
  it('defines, revises, reads versions, lists and archives a job', async () => {
    const defined = await run(`mutation {
      defineJob(name: "restart nginx", description: "restarts it", steps: [{ kind: "COMMAND", command: "systemctl restart nginx", timeoutSeconds: 30 }],
                parameters: [{ name: "unit", type: "STRING", default: "nginx" }, { name: "token", type: "SECRET" }]) {
        id name description version archived steps { name kind command script timeoutSeconds } parameters { name type required default pattern choices } } }`)
    const job = defined.defineJob
    expect(job).toMatchObject({ name: 'restart nginx', version: 1, archived: false, steps: [{ kind: 'COMMAND', command: 'systemctl restart nginx', timeoutSeconds: 30 }] })
    expect(job.parameters).toEqual([
      { name: 'unit', type: 'STRING', required: false, default: 'nginx', pattern: null, choices: null },
      { name: 'token', type: 'SECRET', required: false, default: null, pattern: null, choices: null }
    ])
    const revised = await run('mutation($id: ID!) { reviseJob(id: $id, steps: [{ kind: "SCRIPT", script: "echo hi" }]) { version name steps { kind script interpreter } } }', { id: job.id })
    expect(revised.reviseJob).toEqual({ version: 2, name: 'restart nginx', steps: [{ kind: 'SCRIPT', script: 'echo hi', interpreter: '/bin/sh' }] })
    const v1 = await run('query($id: ID!) { job(id: $id, version: 1) { version steps { kind } } }', { id: job.id })
    expect(v1.job).toEqual({ version: 1, steps: [{ kind: 'COMMAND' }] })
    expect((await run('{ jobs(name: "restart*") { totalCount edges { node { name version } } } }')).jobs).toEqual({ totalCount: 1, edges: [{ node: { name: 'restart nginx', version: 2 } }] })
    expect((await run('mutation($id: ID!) { archiveJob(id: $id) { archived } }', { id: job.id })).archiveJob.archived).toBe(true)
    expect((await run('{ jobs { totalCount } all: jobs(includeArchived: true) { totalCount } }'))).toEqual({ jobs: { totalCount: 0 }, all: { totalCount: 1 } })
  })
})

describe('users and API tokens', () => {
  it('creates, lists, re-roles, disables, enables and resets users', async () => {
    const created = await run('mutation { createUser(username: "Carol", password: "carol-password", role: VIEWER) { id username role disabled createdAt } }')
    const id = created.createUser.id
    expect(created.createUser).toMatchObject({ username: 'carol', role: 'VIEWER', disabled: false })
    expect((await run('mutation($id: ID!) { changeUserRole(id: $id, role: OPERATOR) { role } }', { id })).changeUserRole.role).toBe('OPERATOR')
    expect((await run('mutation($id: ID!) { disableUser(id: $id) { disabled } }', { id })).disableUser.disabled).toBe(true)
    expect((await run('mutation($id: ID!) { enableUser(id: $id) { disabled } }', { id })).enableUser.disabled).toBe(false)
    expect((await run('mutation($id: ID!) { resetUserPassword(id: $id, password: "carol-new-password") { id } }', { id })).resetUserPassword.id).toBe(id)
    const users = await run('{ users { totalCount edges { node { username role } } } operators: users(role: OPERATOR) { totalCount } }')
    expect(users.users.edges.map((e: any) => e.node.username)).toEqual(['admin', 'carol'])
    expect(users.operators.totalCount).toBe(1)
    expect((await run('query($id: ID!) { user(id: $id) { username } }', { id })).user.username).toBe('carol')
    const login = await api.gql('mutation { login(username: "carol", password: "carol-new-password") { accessToken user { username role } } }')
    expect(login.data?.login.user).toEqual({ username: 'carol', role: 'OPERATOR' })
  })

  it('creates an API token shown once, stores only its hash, lists and revokes it', async () => {
    const expiresAt = new Date(Date.now() + 365 * 86_400_000).toISOString()
    const created = await run('mutation($e: DateTime) { createApiToken(name: "ci", role: OPERATOR, expiresAt: $e) { token id apiToken { name role expiresAt createdBy } } }', { e: expiresAt })
    const { token: secret, id } = created.createApiToken
    expect(secret).toMatch(/^opc_[A-Za-z0-9_-]{43}$/)
    expect(created.createApiToken.apiToken).toEqual({ name: 'ci', role: 'OPERATOR', expiresAt, createdBy: 'admin' })
    const stored = await api.h.platform.pool.query("SELECT count(*)::int AS n FROM events WHERE data::text LIKE '%' || $1 || '%'", [secret])
    expect(stored.rows[0].n).toBe(0)
    const me = await api.gql('{ me { username role } }', {}, { token: secret })
    expect(me.data?.me).toEqual({ username: 'token:ci', role: 'OPERATOR' })
    // Last use is recorded in the background (at most once a minute per token): poll briefly.
    let lastUsedAt: unknown = null
    for (let i = 0; i < 100 && !lastUsedAt; i++) {
      const list = await run('{ apiTokens { totalCount edges { node { id name lastUsedAt } } } }')
      lastUsedAt = list.apiTokens.edges.find((e: any) => e.node.id === id).node.lastUsedAt
      if (!lastUsedAt) await new Promise((r) => setTimeout(r, 20))
    }
    expect(lastUsedAt).toMatch(/Z$/)
    expect((await run('mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id })).revokeApiToken.revokedAt).toMatch(/Z$/)
    expect((await api.gql('{ me { id } }', {}, { token: secret })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED')
  })
})

describe('idempotent retries', () => {
  it('answers a retried commandId with the same target and publishes once', async () => {
    const mutation = 'mutation { registerTarget(name: "retry-1", address: "10.2.0.1", connection: LOCAL, commandId: "client-42") { id } }'
    const first = await run(mutation)
    const before = await api.busPosition()
    const second = await run(mutation)
    expect(second.registerTarget.id).toBe(first.registerTarget.id)
    expect(await api.busPosition()).toBe(before)
  })

  it('takes the Idempotency-Key header as the command id', async () => {
    const mutation = 'mutation { registerTarget(name: "retry-2", address: "10.2.0.2", connection: LOCAL) { id } }'
    const headers = { 'idempotency-key': 'key-7' }
    const first = await api.gql(mutation, {}, { token, headers })
    const second = await api.gql(mutation, {}, { token, headers })
    expect(second.data?.registerTarget.id).toBe(first.data?.registerTarget.id)
  })
})
