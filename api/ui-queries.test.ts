import { parse, specifiedRules, validate } from 'graphql'
import { describe, expect, it } from 'vitest'
import * as queries from '../ui/src/lib/api/queries.ts'
import { buildSchema } from './graphql/schema.ts'
import { queryLimitsRule } from './graphql/plugins/limits.ts'

// The web UI is a client of the public API like any other: every operation it sends must be
// valid against the schema and fit the query limits, or a page breaks at run time.
const operations = Object.entries(queries).flatMap(([name, value]): Array<[string, string]> => {
  if (typeof value === 'string') return [[name, value]]
  if (name === 'targetsPage') return [[`${name}(400)`, queries.targetsPage(400)]]
  return []
})

describe('the web UI’s operations', () => {
  const schema = buildSchema()

  it.each(operations)('%s is valid and within the limits', (_, source) => {
    const errors = validate(schema, parse(source), [...specifiedRules, queryLimitsRule])
    expect(errors.map((e) => e.message)).toEqual([])
  })

  it('are all checked here', () => expect(operations.length).toBeGreaterThan(30))
})
