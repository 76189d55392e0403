/**
 * The web UI in Debian's headless Chromium against the real platform, with 10,000 targets and a
 * 20 MB log: time to first paint and to usable rows of the targets page and of the execution
 * page, frames dropped while scrolling each long list, and the tab's JavaScript heap.
 * Standalone: `npx tsx scripts/bench/ui.ts [--quick]` (starts the test services when needed).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { Effect } from 'effect'
import type { Page } from 'playwright-core'
import { registerTarget } from '../../commands/targets.ts'
import { ensureTestServices } from '../../runtime/local-test-services.ts'
import { context } from '../../test/harness.ts'
import { launchChromium, newContext } from '../../ui/e2e/browser.ts'
import { ADMIN, startUiPlatform, type UiPlatform } from '../../ui/e2e/platform.ts'
import { round, runPool } from './stats.ts'
import type { Row } from './types.ts'

const GROUP = 'web ui'
const LOG_LINE = 'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor'

/** Registers targets through the application service (as fast as the platform takes them). */
const seedTargets = async (platform: UiPlatform, count: number) => {
  await runPool(count, 64, async (i) => {
    const input = { name: `node-${String(i).padStart(5, '0')}`, address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, connection: 'SSH' as const, tags: [['web', 'db', 'cache'][i % 3]!, i % 2 ? 'prod' : 'staging'], attributes: { os: i % 4 ? 'linux' : 'windows' } }
    const r = await platform.h.platform.commands.runPromise(Effect.result(registerTarget(input, context())))
    if (r._tag === 'Failure') throw new Error(`seeding target ${i} failed`)
  })
}

/** A finished execution whose one target wrote `megabytes` of output; its page path. */
const seedLog = async (platform: UiPlatform, token: string, megabytes: number): Promise<string> => {
  const lines = Math.round((megabytes * 1024 * 1024) / (LOG_LINE.length + 14))
  const command = `awk 'BEGIN { for (i = 1; i <= ${lines}; i++) printf "line %08d ${LOG_LINE}\\n", i }'`
  const local = await platform.gql<{ registerTarget: { id: string } }>('mutation { registerTarget(name: "bench-log", address: "localhost", connection: LOCAL) { id } }', {}, token)
  const job = await platform.gql<{ defineJob: { id: string } }>('mutation($s: [JSON!]!) { defineJob(name: "bench-log", steps: $s) { id } }', { s: [{ kind: 'COMMAND', command }] }, token)
  const run = await platform.gql<{ runJob: { id: string } }>('mutation($j: ID!, $t: [ID!]) { runJob(jobId: $j, targetIds: $t) { id } }', { j: job.defineJob.id, t: [local.registerTarget.id] }, token)
  const id = run.runJob.id
  const deadline = Date.now() + 180_000
  for (;;) {
    const state = await platform.gql<{ execution: { status: string; targets: Array<{ outputBytes: number }> } }>(`query { execution(id: "${id}") { status targets { outputBytes } } }`, {}, token)
    const bytes = state.execution.targets[0]?.outputBytes ?? 0
    if (state.execution.status === 'FAILED' || state.execution.status === 'CANCELLED') throw new Error(`the log job ended ${state.execution.status}`)
    if (state.execution.status === 'SUCCEEDED' && bytes >= lines * (LOG_LINE.length + 14) * 0.99) break
    if (Date.now() > deadline) throw new Error(`the ${megabytes} MB log was not stored within 3 minutes (${bytes} bytes so far)`)
    await new Promise((r) => setTimeout(r, 500))
  }
  return `/executions/${id}?target=${local.registerTarget.id}`
}

/** ms from navigation start until `selector` is visible, and the first contentful paint. */
const openPage = async (page: Page, path: string, selector: string) => {
  await page.goto(path, { waitUntil: 'commit' })
  await page.locator(selector).first().waitFor({ timeout: 60_000 })
  return page.evaluate(`({ ready: performance.now(), fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN })`) as Promise<{ ready: number; fcp: number }>
}

/**
 * Scrolls the element by `step` px per animation frame for `ms` and counts frames that took
 * longer than a 60 Hz frame (a frame of 40 ms counts as 2 dropped).
 */
// Page-side code as text: tsx would wrap named functions in a helper the page does not have.
const SCROLL_FRAMES = `({ selector, step, ms }) => new Promise((resolve) => {
  const el = document.querySelector(selector)
  const deltas = []
  let last = performance.now()
  const start = last
  const tick = (now) => {
    deltas.push(now - last)
    last = now
    el.scrollTop += step
    if (now - start < ms) requestAnimationFrame(tick)
    else {
      const budget = 1000 / 60
      const dropped = deltas.slice(1).reduce((n, d) => n + Math.max(0, Math.round(d / budget) - 1), 0)
      resolve({ frames: deltas.length, dropped, worst: Math.max(...deltas.slice(1)) })
    }
  }
  requestAnimationFrame(tick)
})`

const scrollFrames = (page: Page, selector: string, step: number, ms: number) =>
  page.evaluate(`(${SCROLL_FRAMES})(${JSON.stringify({ selector, step, ms })})`) as Promise<{ frames: number; dropped: number; worst: number }>

const heapMb = async (page: Page) => {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('HeapProfiler.collectGarbage')
  await cdp.send('Performance.enable')
  const { metrics } = await cdp.send('Performance.getMetrics')
  const value = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN
  await cdp.detach()
  return { used: value('JSHeapUsedSize') / 1024 ** 2, total: value('JSHeapTotalSize') / 1024 ** 2, nodes: value('Nodes') }
}

/**
 * The anchor for smoothness: the same scroll over a plain static list (no framework, nothing
 * loaded or rendered while scrolling) in the same browser on the same busy machine.
 */
const staticScroll = async (page: Page, step: number) => {
  const rows = Array.from({ length: 20_000 }, (_, i) => `<div class="r">line ${String(i).padStart(8, '0')} ${LOG_LINE}</div>`).join('')
  await page.setContent(`<style>#s{height:700px;overflow:auto;font:12.5px monospace}.r{height:18px;white-space:pre}</style><div id="s">${rows}</div>`)
  return scrollFrames(page, '#s', step, 3000)
}

/**
 * Chromium renderer processes now (pid → private MB: resident pages not shared with other
 * processes, so the browser binary and shared libraries are not counted once per process).
 */
const renderers = (): Map<number, number> => {
  const found = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('--type=renderer')) continue
      const smaps = readFileSync(`/proc/${entry}/smaps_rollup`, 'utf8')
      const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(smaps)?.[1] ?? 0)
      found.set(Number(entry), (kb('Private_Clean') + kb('Private_Dirty')) / 1024)
    } catch {
      // The process ended while we looked.
    }
  }
  return found
}

export const benchUi = async ({ quick }: { quick: boolean }): Promise<Row[]> => {
  const targets = quick ? 2_000 : 10_000
  const megabytes = quick ? 5 : 20
  const platform = await startUiPlatform()
  const chromium = await launchChromium()
  const rows: Row[] = []
  try {
    const token = await platform.login(ADMIN.username, ADMIN.password)
    const seeded = performance.now()
    await seedTargets(platform, targets)
    const logPath = await seedLog(platform, token, megabytes)
    const seedSeconds = (performance.now() - seeded) / 1000

    const browserContext = await newContext(chromium.browser, platform.url)
    const before = new Set(renderers().keys())
    const page = await browserContext.newPage()
    const baseline = await staticScroll(page, 120)
    await page.goto('/login')
    await page.getByLabel('Username').fill(ADMIN.username)
    await page.getByLabel('Password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('navigation', { name: 'Main' }).waitFor()

    // Targets page: a full load (scripts, session refresh, first page of rows), median of 3.
    const loads = []
    for (let i = 0; i < 3; i++) loads.push(await openPage(page, '/targets', '[role=row][aria-rowindex="2"] a'))
    const median = <T>(values: T[], key: (v: T) => number) => values.map(key).sort((a, b) => a - b)[1]!
    const targetsNote = `${targets.toLocaleString('en')} targets; full page load with session refresh and the first 100 rows, median of 3`
    rows.push({ group: GROUP, name: 'targets page: first contentful paint', value: round(median(loads, (l) => l.fcp)), unit: 'ms', goal: '< 1,000 ms', note: targetsNote })
    rows.push({ group: GROUP, name: 'targets page: rows shown and usable', value: round(median(loads, (l) => l.ready)), unit: 'ms', goal: '< 1,000 ms', note: targetsNote })
    const targetScroll = await scrollFrames(page, '.tbody', 120, 3000)
    rows.push({
      group: GROUP,
      name: 'targets page: frames dropped scrolling 3 s (120 px/frame)',
      value: targetScroll.dropped,
      unit: 'frames',
      anchor: 'static HTML list, same scroll',
      anchorValue: baseline.dropped,
      goal: 'close to the anchor',
      note: `${targetScroll.frames} frames, worst ${round(targetScroll.worst, 1)} ms (anchor ${baseline.frames} frames, worst ${round(baseline.worst, 1)} ms); rows load page by page while scrolling`
    })
    const targetsHeap = await heapMb(page)
    rows.push({ group: GROUP, name: 'targets page: JS heap after scrolling', value: round(targetsHeap.used, 1), unit: 'MB', goal: '< 200 MB', note: `${round(targetsHeap.nodes)} DOM nodes` })

    // Execution page with the big log: first lines, then the tail, then scrolling.
    const opened = await openPage(page, logPath, '.line')
    const lastLine = await page.waitForFunction(
      // A function, not text: the page's CSP forbids evaluating strings.
      () => ((document.querySelector('.viewer .foot')?.textContent ?? '').includes('loading') || document.querySelectorAll('.line').length === 0 ? false : performance.now()),
      undefined,
      { timeout: 60_000, polling: 16 }
    )
    const tailAt = (await lastLine.jsonValue()) as number
    const logNote = `${megabytes} MB, ${Math.round((megabytes * 1024 * 1024) / (LOG_LINE.length + 14)).toLocaleString('en')} lines, one target`
    rows.push({ group: GROUP, name: 'execution page: first contentful paint', value: round(opened.fcp), unit: 'ms', goal: '< 1,000 ms', note: logNote })
    rows.push({ group: GROUP, name: 'execution page: first log lines shown', value: round(opened.ready), unit: 'ms', goal: '< 1,000 ms', note: logNote })
    rows.push({ group: GROUP, name: 'execution page: whole log loaded, tail shown', value: round(tailAt), unit: 'ms', note: `${logNote}; a 512 KB page, then 8 MB pages, the page usable meanwhile` })
    const logScroll = await scrollFrames(page, '.log', -600, 3000)
    rows.push({
      group: GROUP,
      name: 'execution page: frames dropped scrolling 3 s (600 px/frame)',
      value: logScroll.dropped,
      unit: 'frames',
      anchor: 'static HTML list, same scroll',
      anchorValue: baseline.dropped,
      goal: 'close to the anchor',
      note: `${logScroll.frames} frames, worst ${round(logScroll.worst, 1)} ms`
    })
    const search = (await page.evaluate(`(async () => {
      const input = document.querySelector('#out-search')
      const started = performance.now()
      input.value = 'line 00123456'
      input.dispatchEvent(new Event('input', { bubbles: true }))
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
      return performance.now() - started
    })()`)) as number
    rows.push({ group: GROUP, name: 'execution page: search the whole log', value: round(search), unit: 'ms', note: logNote })
    const logHeap = await heapMb(page)
    const tab = [...renderers()].filter(([pid]) => !before.has(pid)).reduce((sum, [, mb]) => sum + mb, 0)
    if (tab > 0) rows.push({ group: GROUP, name: 'execution page: tab memory (renderer private memory)', value: round(tab), unit: 'MB', goal: '< 200 MB', note: `${logNote}; private (unshared) memory of the renderers opened for the page, from /proc/<pid>/smaps_rollup` })
    rows.push({ group: GROUP, name: 'execution page: JS heap with the log loaded', value: round(logHeap.used, 1), unit: 'MB', goal: '< 200 MB', note: `${logNote}; ${round(logHeap.nodes)} DOM nodes` })
    rows.push({ group: GROUP, name: 'setup: seeding targets and the log', value: round(seedSeconds, 1), unit: 's', note: 'not a UI figure: how long the data took to create' })
    await browserContext.close()
  } finally {
    await chromium.close()
    await platform.close()
  }
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const services = await ensureTestServices({ log: (line) => console.log(`[services] ${line}`) })
  Object.assign(process.env, services.env)
  try {
    for (const row of await benchUi({ quick: process.argv.includes('--quick') })) console.log(`${row.name}: ${row.value} ${row.unit}${row.goal ? ` (goal ${row.goal})` : ''}${row.note ? ` — ${row.note}` : ''}`)
  } finally {
    await services.stop()
  }
  process.exit(0)
}
