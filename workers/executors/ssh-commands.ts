// The shell text sent to sshd for each step kind. sshd makes every exec session's shell a session
// and process-group leader, so the `$$` it prints first is the group id of everything the step
// starts; `kill -- -<pgid>` later reaches the whole tree, not just the shell.
import { shellQuote } from './shell-template.ts'
import type { StepSpec } from './types.ts'

export const PGID_MARKER = '__OPS_PGID__'
/** Exit status of a step whose wrapper failed before the step itself ran (no temp file, etc.). */
export const WRAPPER_FAILED = 125

/** What to exec and what to feed its stdin (null: stdin is closed at once). */
export interface RemotePlan {
  readonly command: string
  readonly stdin: Buffer | null
}

// Runs under /bin/sh whatever the account's login shell is (sshd hands the text to that shell).
const underSh = (script: string): string => `exec /bin/sh -c ${shellQuote(script)}`
const marker = (extra = ''): string => `echo "${PGID_MARKER}$$${extra}" >&2`

export function remotePlan(step: StepSpec): RemotePlan {
  switch (step.kind) {
    case 'COMMAND':
      // The inner `exec` keeps the pid, so the marker's $$ stays the group leader.
      return { command: underSh(`${marker()}; exec /bin/sh -c ${shellQuote(step.command ?? '')}`), stdin: null }
    case 'SCRIPT': {
      const interpreter = shellQuote(step.interpreter ?? '/bin/sh')
      // The EXIT trap removes the file on success and failure; TERM/HUP/INT exit so it runs then
      // too. Only SIGKILL skips it, so the kill script removes the file as well.
      const script = [
        `f=$(mktemp "\${TMPDIR:-/tmp}/ops-step.XXXXXXXXXX") || exit ${WRAPPER_FAILED}`,
        `trap 'rm -f "$f"' EXIT; trap 'exit 143' TERM; trap 'exit 129' HUP; trap 'exit 130' INT`,
        marker(' $f'),
        `cat > "$f" && chmod 700 "$f" || exit ${WRAPPER_FAILED}`,
        `${interpreter} "$f" </dev/null`
      ].join('\n')
      return { command: underSh(script), stdin: Buffer.from(step.script ?? '', 'utf8') }
    }
    case 'UPLOAD': {
      const path = shellQuote(step.path ?? '')
      // With a mode, the (new or truncated) file gets it before the content arrives, so a 0600
      // secret is never readable by others, not even for a moment.
      const write = step.mode
        ? `(umask 077 && : > ${path}) && chmod ${shellQuote(step.mode)} ${path} && cat > ${path}`
        : `cat > ${path}`
      return { command: underSh(`${marker()}; ${write}`), stdin: Buffer.from(step.content ?? '', 'utf8') }
    }
    default:
      return unknownKind(step.kind)
  }
}

/**
 * TERM to everything the step started, then KILL to whatever is still alive after `graceMs`; it
 * returns as soon as nothing is left. The step's shell leads its own session (sshd made it so) and
 * its process group; a child may move to a group of its own (`timeout`, `set -m`) but not out of
 * the session, so members of either are signalled. Where ps cannot list sessions, the group is.
 * `leftover` is a temp file to remove afterwards.
 */
export function killPlan(pgid: number, graceMs: number, leftover: string | null): string {
  const ticks = Math.max(1, Math.ceil(graceMs / 100))
  return underSh([
    `p=${pgid}; i=0`,
    // Live members of the group or session (zombies, which a lazy init may leave for seconds,
    // do not count); "?" when ps cannot tell.
    'members() {',
    '  s=$(ps -eo pid=,pgid=,sid=,stat= 2>/dev/null) || { echo "?"; return; }',
    `  echo "$s" | awk -v p=$p '($2 == p || $3 == p) && $4 !~ /^Z/ { print $1 }'`,
    '}',
    // No `--` before the negative id: dash's kill rejects it.
    'signal() {',
    '  kill -$1 -$p 2>/dev/null',
    '  for q in $(members); do [ "$q" = "?" ] || kill -$1 $q 2>/dev/null; done',
    '}',
    'alive() {',
    '  m=$(members)',
    '  if [ "$m" = "?" ]; then kill -0 -$p 2>/dev/null; else [ -n "$m" ]; fi',
    '}',
    'if alive; then',
    '  signal TERM',
    '  while alive; do',
    `    if [ $i -ge ${ticks} ]; then signal KILL; break; fi`,
    // Where sleep takes whole seconds only, count one second as ten ticks.
    '    sleep 0.1 2>/dev/null || { sleep 1; i=$((i + 9)); }',
    '    i=$((i + 1))',
    '  done',
    'fi',
    ...(leftover ? [`rm -f -- ${shellQuote(leftover)}`] : [])
  ].join('\n'))
}

/** Finds and removes our marker line at the start of stderr; text before it passes through. */
export function parseMarker(stderrStart: Buffer): { pgid: number; leftover: string | null; before: Buffer; after: Buffer } | null {
  const at = stderrStart.indexOf(PGID_MARKER)
  if (at < 0) return null
  const end = stderrStart.indexOf(0x0a, at)
  if (end < 0) return null
  const match = /^(\d+)(?: (.+))?$/.exec(stderrStart.subarray(at + PGID_MARKER.length, end).toString('utf8'))
  if (!match) return null
  return { pgid: Number(match[1]), leftover: match[2] ?? null, before: stderrStart.subarray(0, at), after: stderrStart.subarray(end + 1) }
}

function unknownKind(kind: never): never {
  throw new Error(`unknown step kind ${String(kind)}`)
}
