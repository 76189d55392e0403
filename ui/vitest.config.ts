import { fileURLToPath } from 'node:url'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vitest/config'

// Unit tests of the UI: view logic (*.test.ts) and rune state (*.svelte.test.ts), compiled for
// the browser (runes are only reactive in client builds) but run in Node, without a DOM.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [svelte()],
  resolve: { conditions: ['browser'] },
  test: {
    name: 'ui',
    environment: 'node',
    include: ['src/**/*.test.ts'],
    setupFiles: []
  }
})
