import { describe, expect, it } from 'vitest'
import type { JobParameter } from './definition.ts'
import { validateRunParameters } from './parameters.ts'
import { parameterReferences, substituteParameters } from './templates.ts'

const parameter = (fields: Partial<JobParameter> & Pick<JobParameter, 'name' | 'type'>): JobParameter => ({
  required: false,
  default: null,
  pattern: null,
  choices: null,
  ...fields
})
const parameters = [
  parameter({ name: 'service', type: 'STRING', pattern: '[a-z]+', required: true }),
  parameter({ name: 'count', type: 'INT', default: 3 }),
  parameter({ name: 'dry', type: 'BOOL' }),
  parameter({ name: 'env', type: 'ENUM', choices: ['dev', 'prod'] }),
  parameter({ name: 'token', type: 'SECRET', pattern: 'tk_[a-z0-9]+' })
]
const faultOf = (values: unknown) => {
  const result = validateRunParameters(parameters, values)
  if (result.ok) throw new Error('expected a fault')
  return result
}

describe('validateRunParameters', () => {
  it('accepts valid values and fills defaults', () =>
    expect(validateRunParameters(parameters, { service: 'nginx', dry: true, env: 'prod', token: 'tk_abc' })).toEqual({
      ok: true,
      values: { service: 'nginx', count: 3, dry: true, env: 'prod', token: 'tk_abc' }
    }))
  it('accepts INT and BOOL spelt as strings', () =>
    expect(validateRunParameters(parameters, { service: 'a', count: '12', dry: 'false' })).toEqual({ ok: true, values: { service: 'a', count: 12, dry: false } }))
  it('requires required parameters', () => expect(faultOf({}).field).toBe('parameters.service'))
  it('rejects an unknown parameter', () => expect(faultOf({ service: 'a', colour: 'red' }).field).toBe('parameters.colour'))
  it('rejects a pattern mismatch', () => expect(faultOf({ service: 'Nginx!' }).field).toBe('parameters.service'))
  it('anchors the pattern to the whole value', () => expect(faultOf({ service: 'nginx; reboot' }).field).toBe('parameters.service'))
  it('rejects a non-integer INT', () => expect(faultOf({ service: 'a', count: 1.5 }).field).toBe('parameters.count'))
  it('rejects a non-boolean BOOL', () => expect(faultOf({ service: 'a', dry: 'yes' }).field).toBe('parameters.dry'))
  it('rejects a value outside the choices', () => expect(faultOf({ service: 'a', env: 'qa' }).message).toContain('dev, prod'))
  it('never echoes a SECRET value', () => {
    const fault = faultOf({ service: 'a', token: 'hunter2' })
    expect(fault.field).toBe('parameters.token')
    expect(fault.message).not.toContain('hunter2')
  })
  it('rejects values that are not an object', () => expect(faultOf(['nginx']).field).toBe('parameters'))
})

describe('parameter templates', () => {
  it('finds each referenced name once', () => expect(parameterReferences('{{a}} {{ b }} {{a}} {{ .Go }}')).toEqual(['a', 'b']))
  it('substitutes values and blanks unset optional ones', () =>
    expect(substituteParameters('echo {{ a }}-{{b}}-{{c}}', { a: 'x', b: 2 })).toBe('echo x-2-'))
})
