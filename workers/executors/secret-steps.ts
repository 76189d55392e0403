import type { StepSpec } from './types.ts'

/**
 * Whether a COMMAND step's rendered text holds a secret (a SECRET parameter, a credential's
 * password). Such a command must not become a command line: any user of the target can read
 * those (`ps`, /proc/<pid>/cmdline). It runs from a private temp file instead, as a script does;
 * commands without secrets keep the cheaper direct path.
 */
export const carriesSecret = (step: StepSpec, secrets: ReadonlyArray<string>): boolean =>
  step.kind === 'COMMAND' && secrets.some((secret) => secret.length > 0 && (step.command ?? '').includes(secret))

/** The same command as a /bin/sh script, fed through a private file instead of the command line. */
export const asScript = (step: StepSpec): StepSpec => ({ ...step, kind: 'SCRIPT', script: step.command ?? '', interpreter: '/bin/sh' })
