import { describe, expect, it } from 'vitest'
import { safeNext } from './routes.ts'

describe('safeNext', () => {
  it('lets paths of this app through', () => {
    for (const path of ['/targets', '/executions/abc?target=x', '/jobs/1#steps']) expect(safeNext(path)).toBe(path)
  })

  it('turns anything that could leave the app, or loop to the login, into /', () => {
    for (const next of [null, '', 'https://evil.example', '//evil.example', '/\\evil.example', '/\\/evil.example', '/\t/evil.example', '/ok\nx', 'javascript:alert(1)', '/login?next=/x'])
      expect(safeNext(next)).toBe('/')
  })
})
