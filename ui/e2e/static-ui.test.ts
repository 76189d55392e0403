// How the API serves the built UI (api/static-ui.ts): files, caching, SPA fallback, CSP.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerSecurity } from '../../api/security.ts'
import { registerUi, UI_CSP } from '../../api/static-ui.ts'

let dir: string
let app: FastifyInstance

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ui-dist-'))
  mkdirSync(path.join(dir, 'assets'))
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>OpsConductor</title><script type="module" src="/assets/index-abc123.js"></script>')
  writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), `console.log(${JSON.stringify('x'.repeat(4000))})`)
  writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  app = Fastify()
  registerSecurity(app, '/graphql')
  app.post('/graphql', async () => ({ data: null }))
  app.get('/healthz', async () => ({ status: 'ok' }))
  registerUi(app, { distDir: dir })
  await app.ready()
})

afterAll(async () => {
  await app.close()
  rmSync(dir, { recursive: true, force: true })
})

const html = { accept: 'text/html,application/xhtml+xml' }

describe('the UI routes', () => {
  it('serve index.html at / with the UI policy and no caching', async () => {
    const r = await app.inject({ url: '/', headers: html })
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toContain('text/html')
    expect(r.headers['cache-control']).toBe('no-cache')
    expect(r.headers['content-security-policy']).toBe(UI_CSP)
    expect(r.headers['x-frame-options']).toBe('DENY')
  })
  it('answer deep links with index.html so the app routes them', async () => {
    const r = await app.inject({ url: '/targets/0b5e3f4c-1d2a-4c8e-9f00-123456789abc?x=1', headers: html })
    expect(r.statusCode).toBe(200)
    expect(r.body).toContain('<title>OpsConductor</title>')
  })
  it('cache hashed assets for a year, compressed when asked', async () => {
    const r = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, br' } })
    expect(r.statusCode).toBe(200)
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(r.headers['content-encoding']).toBe('br')
    expect(r.rawPayload.length).toBeLessThan(4000)
  })
  it('answer 304 to a matching ETag', async () => {
    const first = await app.inject({ url: '/favicon.svg' })
    const again = await app.inject({ url: '/favicon.svg', headers: { 'if-none-match': String(first.headers.etag) } })
    expect(again.statusCode).toBe(304)
  })
  it('leave the API alone', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' })
    const api = await app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: '{}' })
    expect(api.headers['content-security-policy']).toContain("default-src 'none'")
  })
  it('answer 404, not HTML, for missing assets and non-HTML requests', async () => {
    expect((await app.inject({ url: '/assets/index-old.js', headers: html })).statusCode).toBe(404)
    expect((await app.inject({ url: '/nothing-here', headers: { accept: 'application/json' } })).statusCode).toBe(404)
  })
  it('refuse paths that climb out of the folder', async () => {
    expect((await app.inject({ url: '/assets/..%2F..%2Fetc%2Fpasswd' })).statusCode).toBe(404)
  })
})

describe('without a build', () => {
  it('explains how to build the UI', async () => {
    const bare = Fastify({ logger: false })
    registerUi(bare, { distDir: path.join(os.tmpdir(), 'no-such-ui-dist') })
    const r = await bare.inject({ url: '/', headers: html })
    expect(r.statusCode).toBe(503)
    expect(r.body).toContain('npm run build:ui')
    await bare.close()
  })
})
