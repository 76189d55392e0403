import { Effect } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerTarget } from '../commands/targets.ts'
import { context, openHarness, type Harness } from '../test/harness.ts'
import { jsonLiteral, textLiteral } from './projection.ts'

let h: Harness
beforeAll(async () => {
  h = await openHarness()
})
afterAll(async () => {
  await h?.close()
})

// Everything that could end a quoted or dollar-quoted literal early, or escape out of it.
const HOSTILE = ["$ops$", "$opsx$", "$$", "'", "''", '\\', "\\'", "'); DROP TABLE events; --", "$ops$'; SELECT 1; --", 'ends with $ops', '€ 🚀']

describe('SQL literals in the sink batch', () => {
  it('carry any text through unchanged', async () => {
    for (const text of HOSTILE) {
      const { rows } = await h.platform.pool.query(`SELECT ${textLiteral(text)} AS t, ${jsonLiteral({ text, list: [text] })} AS j`)
      expect(rows[0]).toEqual({ t: text, j: { text, list: [text] } })
    }
  })

  it('store hostile attribute values in the events and the read model exactly as sent', async () => {
    const attributes = Object.fromEntries(HOSTILE.map((text, i) => [`k${i}`, text]))
    const result = await h.platform.commands.runPromise(registerTarget({ name: 'literal-test', address: '10.0.0.1', connection: 'SSH', tags: ['quoted'], attributes }, context()))
    expect(result.durable).toBe(true)
    const target = await h.platform.pool.query('SELECT attributes, tags FROM targets WHERE id = $1', [result.id])
    expect(target.rows[0]).toEqual({ attributes, tags: ['quoted'] })
    const stored = await h.platform.pool.query("SELECT data FROM events WHERE stream = $1 AND type = 'TargetRegistered'", [`target-${result.id}`])
    expect(stored.rows[0].data.attributes).toEqual(attributes)
    expect((await h.platform.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBeGreaterThan(0)
  })
})
