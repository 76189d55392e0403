/**
 * Builds the web UI (ui/ → ui/dist) with Vite when the build is missing or older than its
 * sources. `npm start` calls `ensureUiBuilt()`; `npm run build:ui` always builds.
 * The build runs in a child process so the server never keeps Vite and Rolldown in memory.
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const UI_DIR = path.join(root, 'ui')
export const UI_DIST = path.join(UI_DIR, 'dist')
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'svelte.config.js', 'tsconfig.json']

/** Newest modification time (ms) of a file or of any file below a folder. */
const newest = (target: string): number => {
  if (!existsSync(target)) return 0
  const stat = statSync(target)
  if (!stat.isDirectory()) return stat.mtimeMs
  let latest = stat.mtimeMs
  for (const name of readdirSync(target)) latest = Math.max(latest, newest(path.join(target, name)))
  return latest
}

/** Why the UI needs a build, or null when ui/dist is up to date. */
export const uiBuildReason = (): string | null => {
  const built = path.join(UI_DIST, 'index.html')
  if (!existsSync(built)) return 'ui/dist is missing'
  const sources = Math.max(...SOURCES.map((s) => newest(path.join(UI_DIR, s))))
  return sources > statSync(built).mtimeMs ? 'ui sources changed since the last build' : null
}

export const buildUi = (log: (line: string) => void = console.log): Promise<void> => {
  const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js')
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', path.join(UI_DIR, 'vite.config.ts'), '--logLevel', 'warn'], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' }
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code === 0) {
        log(`built the web UI into ui/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`)
        resolve()
      } else reject(new Error(`building the web UI failed (vite exited with ${code}); run \`npm run build:ui\` to see why`))
    })
  })
}

/** Builds only when needed; resolves to whether it built. */
export const ensureUiBuilt = async (log: (line: string) => void = console.log): Promise<boolean> => {
  const reason = uiBuildReason()
  if (!reason) return false
  log(`building the web UI (${reason})…`)
  await buildUi(log)
  return true
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const run = process.argv.includes('--if-needed') ? ensureUiBuilt() : buildUi()
  run.then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error)
      process.exit(1)
    }
  )
}
