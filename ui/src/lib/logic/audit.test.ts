import { describe, expect, it } from 'vitest'
import { auditVariables, dataSummary, emptyAuditFilter, exportUrl } from './audit.ts'

describe('audit filters', () => {
  it('leaves out empty fields', () => expect(auditVariables({ ...emptyAuditFilter(), type: ' Target* ' })).toEqual({ type: 'Target*', actorId: null, stream: null, from: null, to: null }))
  it('builds the export URL with the same filter', () =>
    expect(exportUrl({ ...emptyAuditFilter(), type: 'Execution*', stream: 'execution-1' }, 'csv')).toBe('/audit/export?format=csv&order=desc&type=Execution*&stream=execution-1'))
  it('summarises event data on one line', () => {
    expect(dataSummary({ data: { name: 'web-1', tags: ['a', 'b'], port: null } })).toBe('name=web-1 tags=["a","b"]')
    expect(dataSummary({ data: { text: 'x'.repeat(500) } }, 30).length).toBeLessThanOrEqual(30)
  })
})
