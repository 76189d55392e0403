import { describe, expect, it } from 'vitest'
import { emptyDraft, parseAttributes, parseTags, registerVariables, tagChanges } from './target-form.ts'

describe('target form', () => {
  it('reads tags separated by spaces or commas', () => expect(parseTags('web, prod  web,db')).toEqual(['web', 'prod', 'db']))
  it('reads attributes one per line', () => expect(parseAttributes('os=linux\n\n# note\nrack = r7')).toEqual({ ok: true, value: { os: 'linux', rack: 'r7' } }))
  it('points at a line without "="', () => expect(parseAttributes('os=linux\nrack')).toMatchObject({ ok: false, field: 'attributes', message: expect.stringContaining('Line 2') }))
  it('requires a name', () => expect(registerVariables(emptyDraft())).toMatchObject({ ok: false, field: 'name' }))
  it('refuses a port out of range', () =>
    expect(registerVariables({ ...emptyDraft(), name: 'a', address: 'h', port: '70000' })).toMatchObject({ ok: false, field: 'port' }))
  it('builds the registerTarget variables', () =>
    expect(registerVariables({ ...emptyDraft(), name: ' web-1 ', address: '10.0.0.1', port: '2222', tags: 'web prod', attributes: 'os=linux' })).toEqual({
      ok: true,
      value: { name: 'web-1', address: '10.0.0.1', port: 2222, connection: 'SSH', credentialId: null, tags: ['web', 'prod'], attributes: { os: 'linux' } }
    }))
  it('gives LOCAL targets localhost and no port', () =>
    expect(registerVariables({ ...emptyDraft(), name: 'me', connection: 'LOCAL', port: '22' })).toMatchObject({ ok: true, value: { address: 'localhost', port: null } }))
  it('computes tag changes', () => expect(tagChanges(['a', 'b'], ['b', 'c'])).toEqual({ add: ['c'], remove: ['a'] }))
})
