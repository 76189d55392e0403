// Runs one planned step on an open exec channel: streams output, and on cancel or timeout kills
// the remote process group through a second channel on the same connection.
import type { Client, ClientChannel } from 'ssh2'
import { backPressure, outputSink, watchStep } from './output.ts'
import { killPlan, parseMarker, type RemotePlan } from './ssh-commands.ts'
import type { StepIo, StepResult, StepSpec } from './types.ts'

export interface RemoteStepOptions {
  /** Between TERM and KILL. */
  readonly killGraceMs: number
  readonly secrets: ReadonlyArray<string>
}

/** Our marker is the first thing the wrapper writes; beyond this, noise is not hiding it. */
const MARKER_SEARCH_LIMIT = 64 * 1024
/** After the kill script, how long the step's channel may take to report the end. */
const CLOSE_MARGIN_MS = 3_000

/**
 * Opens an exec channel and calls `start` synchronously in ssh2's callback: a quick command's
 * exit status may arrive in the same read, and an 'exit' event emitted before we listen is lost.
 * Rejects only when the channel could not be opened.
 */
export function exec<T>(client: Client, command: string, start: (channel: ClientChannel) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(command, (err, channel) => (err ? reject(err) : resolve(start(channel))))
    } catch (err) {
      reject(err) // 'Not connected': the socket is already gone
    }
  })
}

/** Attaches to a just-opened channel (see `exec`) and resolves when the step is over. */
export function runOnChannel(client: Client, channel: ClientChannel, plan: RemotePlan, step: StepSpec, io: StepIo, opts: RemoteStepOptions): Promise<StepResult> {
  const started = Date.now()
  const sink = outputSink(io.onOutput, opts.secrets)
  let exit: { code: number | null; signal: string | null } | null = null
  let error: string | null = null
  let head: Buffer | null = Buffer.alloc(0) // stderr until the marker is found
  let group: Group | null = null
  let announced: (g: Group | null) => void = () => undefined
  const groupKnown = new Promise<Group | null>((resolve) => (announced = resolve))

  const releaseHead = (rest: Buffer) => {
    head = null
    announced(group)
    sink.stderr(rest)
  }
  const yieldToOutput = backPressure(io, [channel, channel.stderr])
  channel.on('data', (data: Buffer) => {
    sink.stdout(data)
    yieldToOutput()
  })
  channel.stderr.on('data', (data: Buffer) => {
    yieldToOutput()
    if (head === null) return sink.stderr(data)
    const seen: Buffer = Buffer.concat([head, data])
    const found = parseMarker(seen)
    if (found) {
      group = { pgid: found.pgid, leftover: found.leftover }
      sink.stderr(found.before)
      releaseHead(found.after)
    } else if (seen.length > MARKER_SEARCH_LIMIT) releaseHead(seen)
    else head = seen
  })
  channel.on('exit', (code: number | null, signal?: string) => {
    exit = { code: typeof code === 'number' ? code : null, signal: signal ?? null }
  })

  return new Promise<StepResult>((resolve) => {
    let closed = false
    const stopGroup = async (reason: 'timeout' | 'cancel'): Promise<void> => {
      const g = await Promise.race([groupKnown, delay(5_000).then(() => null)])
      if (!g) {
        if (!closed) error = `${reason}: the remote process group is unknown; closed the channel only`
        closeQuietly(channel)
        return
      }
      try {
        const killed = await exec(client, killPlan(g.pgid, opts.killGraceMs, g.leftover), (killer) => {
          killer.resume()
          killer.stderr.resume()
          killer.end()
          return new Promise((r) => killer.on('close', r))
        })
        await Promise.race([killed, delay(opts.killGraceMs + CLOSE_MARGIN_MS)])
      } catch (err) {
        error = `${reason}: could not signal the remote processes (${err instanceof Error ? err.message : String(err)})`
      }
      // A channel that outlives its process group (or a lost connection) must not hang the step.
      void delay(CLOSE_MARGIN_MS).then(() => closed || closeQuietly(channel))
    }
    const stopping: { done: Promise<void> | null } = { done: null }
    const watch = watchStep(step.timeoutSeconds, io.signal, (reason) => {
      stopping.done = stopGroup(reason)
    })

    channel.on('close', () => {
      closed = true
      watch.dispose()
      if (head !== null) releaseHead(head)
      announced(null)
      sink.end()
      if (!exit && !watch.reason()) error ??= 'the connection closed before the step reported its exit status'
      const finish = () =>
        resolve({
          exitCode: exit?.code ?? null,
          signal: exit?.signal ?? null,
          timedOut: watch.reason() === 'timeout',
          cancelled: watch.reason() === 'cancel',
          durationMs: Date.now() - started,
          outputBytes: sink.bytes,
          error
        })
      // Report only once the kill script is done, so "cancelled" means "nothing of it runs".
      if (stopping.done) void stopping.done.then(finish)
      else finish()
    })

    if (plan.stdin) channel.end(plan.stdin)
    else channel.end()
  })
}

interface Group {
  readonly pgid: number
  /** Temp file of a SCRIPT step, removed after a kill (its EXIT trap cannot run on SIGKILL). */
  readonly leftover: string | null
}

function closeQuietly(channel: ClientChannel): void {
  try {
    channel.close()
  } catch {
    // the connection is gone; ssh2 closes its channels itself then
  }
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref())
