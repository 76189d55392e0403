import type { StepSpec } from './types.ts'

/**
 * The step as it may run: a COMMAND whose rendered text holds a secret (a SECRET parameter, a
 * credential's password) must not become a command line, which any user of the target can read
 * (`ps`, /proc/<pid>/cmdline). It becomes the same text as a /bin/sh script, fed through a
 * private temp file; commands without secrets keep the cheaper direct path.
 */
export const privateStep = (step: StepSpec, secrets: ReadonlyArray<string>): StepSpec =>
  step.kind === 'COMMAND' && secrets.some((secret) => secret.length > 0 && (step.command ?? '').includes(secret))
    ? { ...step, kind: 'SCRIPT', script: step.command ?? '', interpreter: '/bin/sh' }
    : step
