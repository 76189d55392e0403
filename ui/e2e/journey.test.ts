// The web UI end to end, in Debian's headless Chromium against the real platform (NATS,
// PostgreSQL, the loopback sshd, a worker): what an operator does on a first day, and what a
// viewer may not do. Screenshots of every page go to ui/test-output/ for a person to look at.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest'
import { sshFacts } from '../../test/support.ts'
import { launchChromium, newContext, watchProblems, type Chromium } from './browser.ts'
import { ADMIN, startUiPlatform, type UiPlatform } from './platform.ts'

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-output')
const TIMEOUT = 30_000

let platform: UiPlatform
let chromium: Chromium
let browser: Browser

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true })
  ;[platform, chromium] = await Promise.all([startUiPlatform(), launchChromium()])
  browser = chromium.browser
}, 180_000)

afterAll(async () => {
  await chromium?.close()
  await platform?.close()
})

const shot = async (page: Page, name: string): Promise<void> => void (await page.screenshot({ path: path.join(OUT, `${name}.png`) }))

const signIn = async (page: Page, username: string, password: string) => {
  await page.goto('/')
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('navigation', { name: 'Main' }).waitFor()
}

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click()

/** Problems the page reported, minus the ones a test caused on purpose. */
const unexpected = (problems: string[]) => problems.filter((p) => !p.includes('net::ERR_ABORTED'))

describe('the web UI', () => {
  it('takes an operator from sign-in through a live run to the audit trail and out again', async () => {
    const ssh = sshFacts()
    const context = await newContext(browser, platform.url)
    const page = await context.newPage()
    page.setDefaultTimeout(TIMEOUT)
    const problems = watchProblems(page)
    onTestFailed(async () => {
      await shot(page, 'failed-operator')
      console.log(problems.join('\n'))
    })

    // Sign in: a wrong password is explained, then the right one opens the dashboard.
    await page.goto('/')
    await expect.poll(() => page.url()).toContain('/login')
    await shot(page, '01-login')
    await page.getByLabel('Username').fill(ADMIN.username)
    await page.getByLabel('Password').fill('not the password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'username or password is not right' }).waitFor()
    await shot(page, '02-login-error')
    await page.getByLabel('Password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
    await shot(page, '03-dashboard-empty')

    // A credential for the loopback sshd (the password never comes back).
    await nav(page, 'Credentials')
    await page.getByRole('button', { name: 'New credential' }).click()
    const credential = page.getByRole('dialog', { name: 'New credential' })
    await credential.getByLabel('Name', { exact: true }).fill('e2e-login')
    await credential.getByLabel('Kind').selectOption('SSH_PASSWORD')
    await credential.getByLabel('Username').fill(ssh.user)
    await credential.getByLabel('Password').fill(ssh.password)
    await shot(page, '04-credential-form')
    await credential.getByRole('button', { name: 'Add credential' }).click()
    await page.getByRole('cell', { name: 'e2e-login', exact: true }).waitFor()
    expect(await page.content()).not.toContain(ssh.password)
    await shot(page, '05-credentials')

    // Two targets: the sshd with that credential, and the worker's own machine.
    await nav(page, 'Targets')
    await page.getByRole('button', { name: 'New target' }).click()
    let form = page.getByRole('dialog', { name: 'New target' })
    await form.getByLabel('Name', { exact: true }).fill('e2e-ssh')
    await form.getByLabel('Address').fill(ssh.host)
    await form.getByLabel('Port').fill(String(ssh.port))
    await form.getByLabel('Credential').selectOption({ label: `e2e-login (${ssh.user}, SSH_PASSWORD)` })
    await form.getByLabel('Tags').fill('e2e web')
    await form.getByRole('button', { name: 'Add target' }).click()
    await page.getByRole('heading', { name: 'e2e-ssh' }).waitFor()
    await nav(page, 'Targets')
    await page.getByRole('button', { name: 'New target' }).click()
    form = page.getByRole('dialog', { name: 'New target' })
    await form.getByLabel('Name', { exact: true }).fill('e2e-local')
    await form.getByLabel('Connection').selectOption('LOCAL')
    await form.getByLabel('Tags').fill('e2e')
    await form.getByRole('button', { name: 'Add target' }).click()
    await page.getByRole('heading', { name: 'e2e-local' }).waitFor()
    await nav(page, 'Targets')
    await page.getByRole('link', { name: 'e2e-ssh' }).waitFor()
    // The filter language, with an inline error pointing at the mistake.
    await page.getByLabel('Filter').fill('tag:e2e + (name:e2e-*')
    await page.getByRole('alert').filter({ hasText: 'parenthesis' }).waitFor()
    await shot(page, '06-targets-filter-error')
    await page.getByLabel('Filter').fill('tag:web')
    await expect.poll(() => page.getByRole('link', { name: /^e2e-/ }).count()).toBe(1)
    await page.getByLabel('Filter').fill('')
    await expect.poll(() => page.getByRole('link', { name: /^e2e-/ }).count()).toBe(2)
    await shot(page, '07-targets')

    // A job with a typed parameter; its output comes in two parts with a pause between.
    await nav(page, 'Jobs')
    await page.getByRole('link', { name: 'New job' }).click()
    await page.locator('#job-name').fill('e2e-hello')
    await page.getByLabel('Description').fill('Says hello, waits, reports')
    await page.getByLabel('Command').fill('echo "hello from {{who}}"; sleep 3; echo "all done"; echo "a warning" >&2')
    await page.getByRole('button', { name: 'Add parameter' }).click()
    await page.locator('[id^="param-"][id$="-name"]').fill('who')
    await page.locator('[id^="param-"][id$="-pattern"]').fill('[a-z]+')
    await page.getByLabel('Required').check()
    await shot(page, '08-job-editor')
    await page.getByRole('button', { name: 'Create job' }).click()
    await page.getByRole('button', { name: 'Run…' }).waitFor()

    // Run it: targets by filter with a live count, the parameter checked before sending.
    await page.getByRole('button', { name: 'Run…' }).click()
    const run = page.getByRole('dialog', { name: 'Run e2e-hello' })
    await run.getByLabel('Target filter').fill('tag:e2e')
    await run.getByText('2 targets').waitFor()
    await run.getByLabel('who').fill('Operator!')
    await run.getByRole('button', { name: 'Run', exact: true }).click()
    await run.getByText('Must match [a-z]+').waitFor()
    await run.getByLabel('who').fill('operator')
    await shot(page, '09-run-dialog')
    await run.getByRole('button', { name: 'Run', exact: true }).click()

    // The execution page: the first line arrives while the run is still going, then it succeeds.
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}/)
    const log = page.getByRole('list', { name: /^Output of/ })
    await log.getByText('hello from operator').waitFor()
    const headStatus = page.locator('.page-head .pill').first()
    expect(await headStatus.textContent()).toMatch(/Running|Queued/)
    await shot(page, '10-execution-live')
    await page.locator('.page-head .pill', { hasText: 'Succeeded' }).waitFor()
    await log.getByText('all done').waitFor()
    await expect.poll(() => page.getByRole('option', { name: /: Succeeded$/ }).count()).toBe(2)
    await page.getByLabel('Stream').selectOption('stderr')
    await log.getByText('a warning').waitFor()
    expect(await log.getByText('all done').count()).toBe(0)
    await page.getByLabel('Stream').selectOption('all')
    await page.getByLabel('Search').fill('done')
    await page.getByText('1 of 1 match').waitFor()
    await shot(page, '11-execution-succeeded')
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Download' }).click()
    expect((await download).suggestedFilename()).toMatch(/\.log$/)

    // The SSH target now shows its pinned host key and the run.
    await page.goto('/targets')
    await page.getByRole('link', { name: 'e2e-ssh' }).click()
    await page.getByText(ssh.hostKeyFingerprint).waitFor()
    await page.getByRole('link', { name: 'e2e-hello' }).waitFor()
    await shot(page, '12-target-detail')

    // Dashboard, executions, versions.
    await nav(page, 'Dashboard')
    await page.getByRole('table').filter({ hasText: 'e2e-hello' }).first().waitFor()
    await shot(page, '13-dashboard')
    await nav(page, 'Executions')
    await page.getByRole('link', { name: 'e2e-hello' }).first().waitFor()
    await shot(page, '14-executions')

    // The audit trail has every step, with the person who did it.
    await nav(page, 'Audit log')
    await page.getByLabel('Event type').fill('Execution*')
    await page.getByRole('button', { name: 'ExecutionFinished' }).first().waitFor()
    await page.getByLabel('Event type').fill('')
    for (const type of ['CredentialCreated', 'TargetRegistered', 'JobDefined', 'ExecutionRequested']) await page.getByRole('button', { name: type }).first().waitFor()
    await page.getByRole('button', { name: 'CredentialCreated' }).first().click()
    await page.getByRole('button', { name: /^Show details of JobDefined/ }).first().click()
    await page.getByRole('heading', { name: 'JobDefined' }).waitFor()
    await shot(page, '15-audit')

    // Admin pages.
    await nav(page, 'Users')
    await page.getByRole('cell', { name: /admin/ }).first().waitFor()
    await shot(page, '16-users')
    await nav(page, 'API tokens')
    await page.getByRole('heading', { name: 'API tokens' }).waitFor()
    await shot(page, '17-tokens')

    // Sign out: back to the login page, and a reload does not sign in again.
    await page.getByRole('button', { name: /account menu/ }).click()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    await page.reload()
    await page.getByRole('button', { name: 'Sign in' }).waitFor()

    expect(unexpected(problems)).toEqual([])
    await context.close()
  }, 180_000)

  it('shows a viewer everything but lets them change nothing, and hides the admin pages', async () => {
    const admin = await platform.login(ADMIN.username, ADMIN.password)
    await platform.gql('mutation { createUser(username: "e2e-viewer", password: "viewer-password-1", role: VIEWER) { id } }', {}, admin)
    await platform.gql('mutation { registerTarget(name: "v-target", address: "localhost", connection: LOCAL) { id } }', {}, admin)
    await platform.gql('mutation { createCredential(name: "v-login", kind: SSH_PASSWORD, username: "u", password: "p") { id } }', {}, admin)
    await platform.gql('mutation { defineJob(name: "v-job", steps: [{ kind: "COMMAND", command: "true" }]) { id } }', {}, admin)
    const context = await newContext(browser, platform.url, 'dark')
    const page = await context.newPage()
    page.setDefaultTimeout(TIMEOUT)
    const problems = watchProblems(page)
    onTestFailed(() => shot(page, 'failed-viewer'))
    await signIn(page, 'e2e-viewer', 'viewer-password-1')
    const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()
    expect(links).toEqual(['Dashboard', 'Targets', 'Credentials', 'Jobs', 'Executions', 'Audit log'])
    await page.goto('/users')
    await page.getByRole('heading', { name: 'Not available' }).waitFor()
    await shot(page, '20-viewer-users-refused')
    await nav(page, 'Targets')
    await page.getByRole('link', { name: 'v-target' }).waitFor()
    expect(await page.getByRole('button', { name: 'New target' }).count()).toBe(0)
    await page.getByRole('link', { name: 'v-target' }).click()
    await page.getByRole('heading', { name: 'v-target' }).waitFor()
    expect(await page.getByRole('button', { name: /Edit|Remove|Assign/ }).count()).toBe(0)
    await nav(page, 'Jobs')
    await page.getByRole('link', { name: 'v-job', exact: true }).click()
    await page.getByText('You can look at this job').waitFor()
    expect(await page.locator('#job-name').isDisabled()).toBe(true)
    expect(await page.getByRole('button', { name: /Run…|Save new version/ }).count()).toBe(0)
    await nav(page, 'Credentials')
    await page.getByRole('cell', { name: 'v-login', exact: true }).waitFor()
    expect(await page.getByRole('button', { name: /New credential|Rotate|Delete/ }).count()).toBe(0)
    await shot(page, '21-viewer-credentials')
    // The API refuses too, whatever the page shows.
    const viewer = await platform.login('e2e-viewer', 'viewer-password-1')
    await expect(platform.gql('mutation { createUser(username: "x-user", password: "x-password-1", role: ADMIN) { id } }', {}, viewer)).rejects.toThrow()
    expect(unexpected(problems)).toEqual([])
    await context.close()
  }, 120_000)
})
