// Headless Chromium for the UI tests and the benchmark: Debian's `chromium` driven by
// playwright-core (Playwright's own browser downloads are not reachable from here).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

export const CHROMIUM = process.env.OPS_CHROMIUM ?? '/usr/bin/chromium'

/** Installs Debian's chromium when it is missing (we run as root on CI); apt lists are refreshed if the first try fails. */
export const ensureChromium = (log: (line: string) => void = console.log): void => {
  if (existsSync(CHROMIUM)) return
  log('installing chromium with apt-get (first run on this machine)…')
  const install = () => execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  try {
    install()
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'ignore' })
    install()
  }
  if (!existsSync(CHROMIUM)) throw new Error(`chromium is still missing at ${CHROMIUM} after apt-get install`)
}

export interface Chromium {
  readonly browser: Browser
  readonly close: () => Promise<void>
}

/** Playwright gives each launch a fresh temporary profile (the --user-data-dir of STACK.md). */
export const launchChromium = async (): Promise<Chromium> => {
  ensureChromium()
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage'
    ]
  })
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => undefined)
    }
  }
}

/** Collects console errors, page errors and failed requests, so a test can insist on none. */
export const watchProblems = (page: Page): string[] => {
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()} ${response.request().postData()?.slice(0, 300) ?? ''}`)
  })
  return problems
}

export const newContext = (browser: Browser, baseURL: string, colorScheme: 'light' | 'dark' = 'light'): Promise<BrowserContext> =>
  browser.newContext({ baseURL, viewport: { width: 1360, height: 860 }, colorScheme, reducedMotion: 'reduce' })
