import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/**
 * The web UI: the built single-page app (ui/dist) at `/`. Files are read once at start and kept
 * in memory with their gzip and brotli forms (the whole app is ~100 KB). Hashed assets are cached
 * for a year; index.html is revalidated on every load so a new release is picked up at once.
 * Any other GET for an HTML page (a deep link such as /targets/<id>) answers index.html, whose
 * router takes over; requests that do not want HTML get a 404 as before.
 */
export interface UiOptions {
  readonly distDir: string
}

/**
 * Scripts and styles only from this origin, no inline code; `connect-src 'self'` covers
 * fetch to /graphql and the WebSocket to /graphql (CSP 3 matches ws:/wss: of the same host).
 */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join('; ')

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8'
}
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg)/

interface Asset {
  readonly type: string
  readonly cache: string
  readonly etag: string
  readonly raw: Buffer
  readonly gzip: Buffer | null
  readonly br: Buffer | null
}

const listFiles = (dir: string, base = dir): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    return statSync(full).isDirectory() ? listFiles(full, base) : [path.relative(base, full).split(path.sep).join('/')]
  })

const load = (distDir: string, file: string): Asset => {
  const raw = readFileSync(path.join(distDir, file))
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream'
  const hashed = file.startsWith('assets/')
  const cache = file === 'index.html' ? 'no-cache' : hashed ? 'public, max-age=31536000, immutable' : 'public, max-age=3600'
  const compress = COMPRESSIBLE.test(type) && raw.length > 1024
  const etag = `"${createHash('sha256').update(raw).digest('base64url').slice(0, 22)}"`
  return {
    type,
    cache,
    etag,
    raw,
    gzip: compress ? gzipSync(raw, { level: 9 }) : null,
    br: compress ? brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }) : null
  }
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>OpsConductor</title>
<p style="font:16px system-ui;margin:3em">The web UI is not built yet. Run <code>npm run build:ui</code> (npm start does it when ui/ changed), then reload.</p>`

const wantsHtml = (request: FastifyRequest): boolean => {
  const accept = request.headers.accept ?? ''
  return accept.includes('text/html')
}

const send = (request: FastifyRequest, reply: FastifyReply, asset: Asset) => {
  reply.header('content-type', asset.type).header('cache-control', asset.cache).header('etag', asset.etag).header('vary', 'accept-encoding')
  if (asset.type.startsWith('text/html')) reply.header('content-security-policy', UI_CSP)
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send()
  const accepted = String(request.headers['accept-encoding'] ?? '')
  if (asset.br && /\bbr\b/.test(accepted)) return reply.header('content-encoding', 'br').send(asset.br)
  if (asset.gzip && /\bgzip\b/.test(accepted)) return reply.header('content-encoding', 'gzip').send(asset.gzip)
  return reply.send(asset.raw)
}

export const registerUi = (app: FastifyInstance, options: UiOptions): void => {
  const assets = new Map<string, Asset>()
  if (existsSync(path.join(options.distDir, 'index.html'))) for (const file of listFiles(options.distDir)) assets.set(file, load(options.distDir, file))
  else app.log.warn({ distDir: options.distDir }, 'the web UI is not built: / answers a notice until `npm run build:ui` has run')
  const index = assets.get('index.html')

  // Static routes (/graphql, /healthz, …) win over this wildcard in fastify's router.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    handler: async (request, reply) => {
      const pathname = decodeURIComponent(new URL(request.url, 'http://ui').pathname).replace(/^\/+/, '')
      const asset = pathname.includes('..') ? undefined : assets.get(pathname)
      if (asset && pathname !== 'index.html') return send(request, reply, asset)
      // Missing hashed files (an old tab after a release) must not come back as HTML.
      if (pathname.startsWith('assets/') || !wantsHtml(request)) {
        return reply.code(404).type('application/json; charset=utf-8').send({ error: 'not found' })
      }
      if (!index) return reply.code(503).header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").type('text/html; charset=utf-8').send(NOT_BUILT)
      return send(request, reply, index)
    }
  })
}
