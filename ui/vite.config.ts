import { fileURLToPath } from 'node:url'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))
// `npm run dev`: the API runs on OPS_API_URL (default http://localhost:4000); Vite proxies to it.
const api = process.env.OPS_API_URL ?? 'http://localhost:4000'

export default defineConfig({
  root,
  base: '/',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small entry: the app is small enough that splitting per page costs more round trips than it saves.
    chunkSizeWarningLimit: 400
  },
  server: {
    port: Number(process.env.OPS_UI_PORT ?? 5173),
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: false },
      '/executions': { target: api, bypass: (req) => (req.headers.accept?.includes('text/html') ? req.url : undefined) },
      '/audit/export': { target: api }
    }
  }
})
