import { onBeforeUnmount } from 'vue'

/** A debounced function that is cancelled when the component goes away. */
export function useDebounce<A extends unknown[]>(fn: (...args: A) => void, ms: number) {
  let timer: number | undefined
  onBeforeUnmount(() => window.clearTimeout(timer))
  return (...args: A) => {
    window.clearTimeout(timer)
    timer = window.setTimeout(() => fn(...args), ms)
  }
}
