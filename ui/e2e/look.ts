/**
 * Screenshots of pages of a running UI, for a person to look at: `npx tsx ui/e2e/look.ts URL path…`
 * (signs in as the e2e admin; writes ui/test-output/look-*.png; prints console problems).
 */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { launchChromium, newContext, watchProblems } from './browser.ts'
import { ADMIN } from './platform.ts'

const [base, ...paths] = process.argv.slice(2)
if (!base) throw new Error('usage: look.ts URL [path…]')
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-output')
mkdirSync(out, { recursive: true })
const chromium = await launchChromium()
for (const scheme of ['light', 'dark'] as const) {
  const context = await newContext(chromium.browser, base, scheme)
  const page = await context.newPage()
  const problems = watchProblems(page)
  await page.goto('/login')
  await page.getByLabel('Username').fill(ADMIN.username)
  await page.getByLabel('Password').fill(ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('navigation', { name: 'Main' }).waitFor()
  for (const p of paths.length ? paths : ['/']) {
    await page.goto(p)
    await page.waitForTimeout(800)
    const file = path.join(out, `look-${scheme}${p.replace(/[^a-z0-9]+/gi, '-')}.png`)
    await page.screenshot({ path: file })
    console.log(file)
  }
  if (problems.length) console.log(problems.join('\n'))
  await context.close()
}
await chromium.close()
