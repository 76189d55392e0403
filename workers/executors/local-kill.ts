import fs from 'node:fs'

/**
 * TERM to everything the step started, KILL to whatever is left after the grace; returns when
 * nothing is left. The step's shell leads a session of its own (it is spawned detached), and a
 * child may move to a process group of its own (`timeout`, `set -m`, a job-control subshell) but
 * never out of the session: the group and every member of the session are signalled.
 */
export async function killGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalAll(pgid, 'SIGTERM')) return
  const deadline = Date.now() + graceMs
  while (alive(pgid)) {
    if (Date.now() >= deadline) {
      signalAll(pgid, 'SIGKILL')
      return
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

const alive = (pgid: number): boolean => (process.platform === 'linux' ? membersOf(pgid).length > 0 : groupSignalled(pgid, 0))

function signalAll(pgid: number, signal: NodeJS.Signals): boolean {
  let any = groupSignalled(pgid, signal)
  for (const pid of membersOf(pgid)) {
    try {
      process.kill(pid, signal)
      any = true
    } catch {
      // exited meanwhile
    }
  }
  return any
}

function groupSignalled(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal)
    return true
  } catch {
    return false // ESRCH: the group is gone
  }
}

/**
 * Live (not zombie) processes in the step's group or session. `kill(-pgid, 0)` also succeeds for
 * zombies, and an init that reaps lazily (as in some containers) keeps them for seconds; on Linux
 * /proc tells live members from zombies. Elsewhere only the group can be found.
 */
function membersOf(leader: number): number[] {
  if (process.platform !== 'linux') return []
  const members: number[] = []
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    let stat: string
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    } catch {
      continue // exited meanwhile
    }
    // "pid (comm) state ppid pgrp session …"; comm may hold spaces and parentheses, so split after the last ')'.
    const [state, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (state !== 'Z' && (Number(pgrp) === leader || Number(session) === leader)) members.push(Number(pid))
  }
  return members
}
