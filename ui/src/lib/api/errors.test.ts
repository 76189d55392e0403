import { describe, expect, it } from 'vitest'
import { ApiError, fieldError, formError, fromGraphQLError, isAbout } from './errors.ts'

describe('fromGraphQLError', () => {
  it('keeps the field of a BAD_USER_INPUT error', () => {
    const e = fromGraphQLError({ message: 'port: must be from 1 to 65535', extensions: { code: 'BAD_USER_INPUT', field: 'port' } })
    expect(e.kind).toBe('BAD_USER_INPUT')
    expect(e.field).toBe('port')
    expect(e.message).toBe('Port: must be from 1 to 65535')
  })
  it('says how long to wait after throttled logins', () => {
    const e = fromGraphQLError({ message: 'too many failed logins', extensions: { code: 'FORBIDDEN', reason: 'RATE_LIMITED', retryAfterSeconds: 42 } })
    expect(e.message).toBe('Too many failed attempts. Wait 42 seconds before trying again.')
  })
  it('explains a masked error', () =>
    expect(fromGraphQLError({ message: 'Unexpected error.' }).message).toMatch(/went wrong on the server/))
  it('keeps the position of a filter error', () =>
    expect(fromGraphQLError({ message: 'filter: x', extensions: { code: 'BAD_USER_INPUT', field: 'filter', position: 4 } }).details.position).toBe(4))
})

describe('form errors', () => {
  const error = new ApiError('BAD_USER_INPUT', 'Steps[0].command: is required', { field: 'steps[0].command' })
  it('finds the field an error is about, also inside a list', () => {
    expect(isAbout(error, 'steps[0].command')).toBe(true)
    expect(isAbout(error, 'steps')).toBe(true)
    expect(isAbout(error, 'step')).toBe(false)
  })
  it('shows it under the field, not in the banner', () => {
    expect(fieldError(error, 'steps[0].command')).toBe('Steps[0].command: is required')
    expect(formError(error, ['steps'])).toBeNull()
    expect(formError(error, ['name'])).toBe(error)
  })
})
