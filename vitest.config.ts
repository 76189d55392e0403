import { createRequire } from 'node:module'
import { defineConfig } from 'vitest/config'

// graphql-js ships CJS (main) and ESM (module) builds. Node gives graphql-yoga and graphql-tools
// the CJS one; without this alias Vite would give our own code the ESM one, and two copies of
// graphql reject each other's schemas and errors ("from another module or realm").
const graphqlCjs = createRequire(import.meta.url).resolve('graphql')

// Integration tests share real NATS/PostgreSQL/sshd (see scripts/test.ts); two forked workers
// match this 2-core machine. The UI's unit and rune tests run in their own project
// (ui/vitest.config.ts: Svelte compiler); its end-to-end tests (ui/e2e) run with the platform.
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlCjs }] },
  test: {
    environment: 'node',
    projects: [
      {
        extends: true,
        test: {
          name: 'platform',
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**', 'ui/src/**', 'ui/dist/**', 'dist/**', '.ops-data/**', 'coverage/**', '.bench/**']
        }
      },
      'ui/vitest.config.ts'
    ],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 60_000,
    globalSetup: ['test/global-setup.ts']
  }
})
