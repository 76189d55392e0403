// Where the time of one fan-out execution goes, read back from its events: each report carries
// the worker's clock when the report was created (`occurred_at`, before it waits for its turn on
// the execution's stream) and the sink's transaction time (`recorded_at`).
import type { Pool } from '../../projections/db.ts'
import { percentile } from './stats.ts'

interface Phase {
  readonly p50: number
  readonly p90: number
}

export interface FanoutProfile {
  /**
   * The report that dispatched the target is created → its events are in a sink transaction:
   * the report's wait for its turn on the execution stream, the append, the sink's pickup.
   */
  readonly dispatchToCommitted: Phase
  /** Committed → the worker reports the start (NOTIFY, dispatcher query, enqueue, pull, state refresh). */
  readonly committedToStarted: Phase
  /** Start report created → step report created (start report's turn + append, target + credential load, SSH connect or lease). */
  readonly startedToStep: Phase
  /** The remote command itself (the step's own duration). */
  readonly command: Phase
  /** Step report created → finish report created (the step report's turn on the stream + append). */
  readonly stepToFinished: Phase
  /** Target busy time ÷ wall time: how many of the `parallelism` slots were in use on average. */
  readonly meanConcurrency: number
}

const phase = (values: number[]): Phase => {
  const sorted = values.sort((a, b) => a - b)
  return { p50: Math.round(percentile(sorted, 50)), p90: Math.round(percentile(sorted, 90)) }
}

export const profileExecution = async (pool: Pool, executionId: string, wallSeconds: number): Promise<FanoutProfile> => {
  const { rows } = await pool.query<{ type: string; target: string | null; attempt: number | null; occurred: Date; recorded: Date; duration: number | null }>(
    `SELECT type, data->>'targetId' AS target, (data->>'attempt')::int AS attempt, occurred_at AS occurred, recorded_at AS recorded,
            (data->>'durationMs')::int AS duration
     FROM events WHERE stream = $1 ORDER BY position, idx`,
    [`execution-${executionId}`]
  )
  const at = new Map<string, Partial<Record<string, { occurred: number; recorded: number; duration: number | null }>>>()
  for (const r of rows) {
    if (!r.target || r.attempt !== 1) continue
    const entry = at.get(r.target) ?? {}
    entry[r.type] ??= { occurred: r.occurred.getTime(), recorded: r.recorded.getTime(), duration: r.duration }
    at.set(r.target, entry)
  }
  const lists = { dispatch: [] as number[], committed: [] as number[], step: [] as number[], command: [] as number[], finish: [] as number[] }
  let busy = 0
  for (const e of at.values()) {
    const { TargetRunDispatched: d, TargetRunStarted: s, StepStarted: ss, StepFinished: sf, TargetRunFinished: f } = e
    if (!d || !s || !ss || !sf || !f) continue
    lists.dispatch.push(d.recorded - d.occurred)
    lists.committed.push(s.occurred - d.recorded)
    lists.step.push(ss.occurred - s.occurred)
    lists.command.push(sf.duration ?? sf.occurred - ss.occurred)
    lists.finish.push(f.occurred - sf.occurred)
    busy += f.occurred - s.occurred
  }
  return {
    dispatchToCommitted: phase(lists.dispatch),
    committedToStarted: phase(lists.committed),
    startedToStep: phase(lists.step),
    command: phase(lists.command),
    stepToFinished: phase(lists.finish),
    meanConcurrency: Number((busy / 1000 / wallSeconds).toFixed(1))
  }
}

export const describeProfile = (p: FanoutProfile): string =>
  [
    `dispatch→committed ${p.dispatchToCommitted.p50}/${p.dispatchToCommitted.p90}`,
    `committed→started ${p.committedToStarted.p50}/${p.committedToStarted.p90}`,
    `started→step ${p.startedToStep.p50}/${p.startedToStep.p90}`,
    `command ${p.command.p50}/${p.command.p90}`,
    `step→finished ${p.stepToFinished.p50}/${p.stepToFinished.p90}`
  ].join(', ') + ` ms (p50/p90); mean concurrency ${p.meanConcurrency}`
