import { EVENTS_LIVE } from '../api/queries.ts'
import type { LiveLink } from './live.svelte.ts'

/**
 * Calls `refresh` when events of the given types are committed, at most once per `interval` ms
 * (a burst of TargetRun events becomes one reload). Returns the stop function.
 */
export const refreshOnEvents = (live: LiveLink, types: ReadonlyArray<string>, refresh: () => unknown, interval = 1500): (() => void) => {
  let timer: ReturnType<typeof setTimeout> | undefined
  let last = 0
  const stop = live.subscribe(EVENTS_LIVE, { types }, {
    next: () => {
      if (timer) return
      const wait = Math.max(0, last + interval - Date.now())
      timer = setTimeout(() => {
        timer = undefined
        last = Date.now()
        void refresh()
      }, wait)
    }
  })
  return () => {
    clearTimeout(timer)
    stop()
  }
}
