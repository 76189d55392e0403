import { defineConfig } from 'vitest/config'

// Integration tests share real NATS/PostgreSQL/sshd (see scripts/test.ts); two forked workers
// match this 2-core machine. The UI keeps its own config.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', 'ui/**', 'dist/**', '.ops-data/**', 'coverage/**', '.bench/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 60_000,
    globalSetup: ['test/global-setup.ts']
  }
})
