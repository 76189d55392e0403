/**
 * `npm run dev`: the platform (as `npm start`, on PORT, default 4000) and the Vite dev server with
 * hot reload on OPS_UI_PORT (default 5173), which proxies /graphql (HTTP and WebSocket), output
 * downloads and the audit export to it. With OPS_API_URL set, only Vite runs, against that API.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createServer } from 'vite'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const port = process.env.PORT ?? '4000'
let platform: ChildProcess | null = null

if (!process.env.OPS_API_URL) {
  process.env.OPS_API_URL = `http://localhost:${port}`
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx')
  // The platform serves the API; the UI comes from Vite, so it skips its own UI build.
  platform = spawn(tsx, [path.join(root, 'scripts', 'start.ts')], { cwd: root, stdio: 'inherit', env: { ...process.env, PORT: port, OPS_UI_SKIP_BUILD: '1' } })
  platform.on('exit', (code) => {
    console.error(`[dev] the platform stopped (${code ?? 'signal'}); stopping the dev server`)
    process.exit(code ?? 1)
  })
}

const server = await createServer({ configFile: path.join(root, 'ui', 'vite.config.ts') })
await server.listen()
server.printUrls()
console.log(`[dev] API: ${process.env.OPS_API_URL} (the UI above proxies to it; edit ui/src and the page updates)`)

const stop = async () => {
  await server.close()
  platform?.kill('SIGTERM')
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
