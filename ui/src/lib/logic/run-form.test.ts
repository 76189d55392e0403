import { describe, expect, it } from 'vitest'
import type { JobParameter } from '../api/types.ts'
import { defaultOptions, initialValues, optionArguments, parameterErrors, parameterPayload } from './run-form.ts'

const p = (fields: Partial<JobParameter> & Pick<JobParameter, 'name' | 'type'>): JobParameter => ({ required: false, default: null, pattern: null, choices: null, ...fields })
const parameters = [
  p({ name: 'service', type: 'STRING', pattern: '[a-z]+', required: true }),
  p({ name: 'count', type: 'INT', default: 3 }),
  p({ name: 'dry', type: 'BOOL', default: true }),
  p({ name: 'env', type: 'ENUM', choices: ['dev', 'prod'] }),
  p({ name: 'token', type: 'SECRET', pattern: 'tk_[a-z0-9]+' })
]

describe('the run form', () => {
  it('starts from the defaults', () => expect(initialValues(parameters)).toEqual({ service: '', count: '3', dry: true, env: '', token: '' }))
  it('checks values like the server', () => {
    const errors = parameterErrors(parameters, { service: 'Nginx!', count: '1.5', dry: false, env: 'qa', token: 'hunter2' })
    expect(errors).toEqual({ service: 'Must match [a-z]+', count: 'Must be a whole number', env: 'Must be one of dev, prod', token: 'Does not have the expected form' })
  })
  it('requires required values', () => expect(parameterErrors(parameters, initialValues(parameters))).toEqual({ service: 'Required' }))
  it('anchors patterns to the whole value', () => expect(parameterErrors(parameters, { service: 'nginx; reboot' }).service).toBeDefined())
  it('sends typed values and leaves out empty ones', () =>
    expect(parameterPayload(parameters, { service: 'nginx', count: '12', dry: false, env: '', token: '' })).toEqual({ service: 'nginx', count: 12, dry: false }))
  it('turns options into runJob arguments', () =>
    expect(optionArguments({ ...defaultOptions(), batch: 'percent', batchValue: '25', retries: '2' })).toEqual({
      ok: true,
      value: { failurePolicy: 'CONTINUE', parallelism: 10, retries: 2, retryBackoffSeconds: 30, batchPercent: 25 }
    }))
  it('names the option that is out of range', () =>
    expect(optionArguments({ ...defaultOptions(), parallelism: '0', batch: 'count', batchValue: 'x' })).toEqual({
      ok: false,
      errors: { parallelism: 'Parallelism must be a whole number from 1 to 1000', batchSize: 'Batch size must be a whole number from 1 to 10000' }
    }))
})
