import { matchRoute, type Route } from '../logic/routes.ts'

/** History-API routing: paths like /targets/<id>; the server answers index.html for them. */
export class Router {
  path = $state(location.pathname)
  search = $state(location.search)
  readonly route: Route = $derived(matchRoute(this.path))
  readonly query: URLSearchParams = $derived(new URLSearchParams(this.search))

  constructor() {
    addEventListener('popstate', () => this.#sync())
    // Plain <a href="/…"> links navigate inside the app; modified clicks open tabs as usual.
    document.addEventListener('click', (event) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
      const anchor = (event.target as Element | null)?.closest?.('a')
      if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.origin !== location.origin) return
      if (anchor.pathname.startsWith('/graphql') || anchor.dataset.external !== undefined) return
      event.preventDefault()
      this.navigate(anchor.pathname + anchor.search)
    })
  }

  navigate(to: string, options: { replace?: boolean } = {}): void {
    if (to === location.pathname + location.search) return
    if (options.replace) history.replaceState(null, '', to)
    else history.pushState(null, '', to)
    const samePage = new URL(to, location.origin).pathname === this.path
    this.#sync()
    if (!samePage) scrollTo(0, 0)
  }

  /** Updates the query string without a new history entry (filters typed into a page). */
  setQuery(query: URLSearchParams): void {
    const text = query.toString()
    const to = text ? `${location.pathname}?${text}` : location.pathname
    history.replaceState(null, '', to)
    this.search = location.search
  }

  #sync(): void {
    this.path = location.pathname
    this.search = location.search
  }
}
