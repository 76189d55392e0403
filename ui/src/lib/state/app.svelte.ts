import { getContext, setContext } from 'svelte'
import { LiveLink } from './live.svelte.ts'
import { Router } from './router.svelte.ts'
import { Session } from './session.svelte.ts'
import { Toasts } from './toasts.svelte.ts'

/** What every page shares: who is signed in, where we are, the live link and the toasts. */
export class AppState {
  readonly session = new Session()
  readonly router = new Router()
  readonly live = new LiveLink(() => this.session.freshToken())
  readonly toasts = new Toasts()
  get client() {
    return this.session.client
  }
}

const KEY = Symbol('app')
export const provideApp = (app: AppState): AppState => setContext(KEY, app)
export const useApp = (): AppState => getContext<AppState>(KEY)
