/** The pages of the app and their paths. Admin pages are hidden from other roles (the API enforces it too). */
export type RouteName =
  | 'dashboard'
  | 'targets'
  | 'target'
  | 'credentials'
  | 'jobs'
  | 'job-new'
  | 'job'
  | 'job-versions'
  | 'executions'
  | 'execution'
  | 'audit'
  | 'users'
  | 'tokens'
  | 'login'
  | 'not-found'

export interface Route {
  readonly name: RouteName
  readonly params: Readonly<Record<string, string>>
}

const PATTERNS: ReadonlyArray<readonly [RouteName, string]> = [
  ['dashboard', '/'],
  ['login', '/login'],
  ['targets', '/targets'],
  ['target', '/targets/:id'],
  ['credentials', '/credentials'],
  ['jobs', '/jobs'],
  ['job-new', '/jobs/new'],
  ['job-versions', '/jobs/:id/versions'],
  ['job', '/jobs/:id'],
  ['executions', '/executions'],
  ['execution', '/executions/:id'],
  ['audit', '/audit'],
  ['users', '/users'],
  ['tokens', '/tokens']
]

const compiled = PATTERNS.map(([name, pattern]) => {
  const keys: string[] = []
  const source = pattern.replace(/:([a-z]+)/g, (_, key: string) => {
    keys.push(key)
    return '([^/]+)'
  })
  return { name, keys, regex: new RegExp(`^${source}/?$`) }
})

export const matchRoute = (pathname: string): Route => {
  for (const { name, keys, regex } of compiled) {
    const m = regex.exec(pathname)
    if (!m) continue
    const params: Record<string, string> = {}
    keys.forEach((key, i) => {
      try {
        params[key] = decodeURIComponent(m[i + 1]!)
      } catch {
        params[key] = m[i + 1]!
      }
    })
    return { name, params }
  }
  return { name: 'not-found', params: {} }
}

export const ADMIN_ONLY: ReadonlySet<RouteName> = new Set(['users', 'tokens'])

/** A query string from values, leaving out empty ones (for shareable filtered URLs). */
export const withQuery = (path: string, query: Record<string, string | number | null | undefined>): string => {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== null && value !== undefined && value !== '') search.set(key, String(value))
  const text = search.toString()
  return text ? `${path}?${text}` : path
}

/** Only same-app paths: a `next=` parameter must never send the person to another site. */
/**
 * Where to go after signing in: a path of this app only. Browsers read `//host` and `/\host` as
 * another site, and strip tabs and newlines from URLs, so only a plain path is let through.
 */
export const safeNext = (next: string | null): string =>
  next && /^\/(?![\/\\])[^\s\\]*$/.test(next) && !next.startsWith('/login') ? next : '/'
