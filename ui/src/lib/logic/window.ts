/**
 * Windowing for long lists with a fixed row height: which rows to render for a scroll position.
 * Browsers cap an element's height (Chromium ~33 M px, Firefox ~17 M px), so past `maxHeight` the
 * scroll range is scaled: the scrollbar maps proportionally onto the rows, and rendered rows are
 * placed relative to the viewport rather than at `index × rowHeight`.
 */
export interface WindowInput {
  readonly scrollTop: number
  readonly viewport: number
  readonly rowHeight: number
  readonly count: number
  readonly overscan?: number
  readonly maxHeight?: number
}

export interface RowWindow {
  /** First rendered row (inclusive). */
  readonly first: number
  /** Last rendered row (exclusive). */
  readonly last: number
  /** Where the first rendered row goes, in px from the top of the scroll content. */
  readonly offset: number
  /** Height of the scroll content. */
  readonly height: number
}

export const DEFAULT_MAX_HEIGHT = 8_000_000

const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value))

/** The row at the top of the viewport, fractional (e.g. 10.5 = half of row 10 scrolled away). */
const topRow = (input: WindowInput, height: number): number => {
  const { scrollTop, viewport, rowHeight, count } = input
  const natural = count * rowHeight
  if (natural <= height) return clamp(scrollTop, 0, Math.max(0, natural - viewport)) / rowHeight
  const range = Math.max(1, height - viewport)
  const rows = Math.max(0, count - viewport / rowHeight)
  return (clamp(scrollTop, 0, range) / range) * rows
}

export const contentHeight = (count: number, rowHeight: number, maxHeight = DEFAULT_MAX_HEIGHT): number => Math.min(count * rowHeight, maxHeight)

export const computeWindow = (input: WindowInput): RowWindow => {
  const { viewport, rowHeight, count } = input
  const overscan = input.overscan ?? 8
  const height = contentHeight(count, rowHeight, input.maxHeight)
  if (count === 0 || rowHeight <= 0) return { first: 0, last: 0, offset: 0, height }
  const top = topRow(input, height)
  const first = clamp(Math.floor(top) - overscan, 0, count)
  const last = clamp(Math.ceil(top + viewport / rowHeight) + overscan, first, count)
  const scaled = count * rowHeight > height
  const scrollTop = clamp(input.scrollTop, 0, Math.max(0, height - viewport))
  const offset = scaled ? scrollTop + (first - top) * rowHeight : first * rowHeight
  return { first, last, offset, height }
}

/** The scrollTop that shows `index` at the top (`start`), bottom (`end`) or only if hidden (`nearest`). */
export const scrollTopFor = (
  index: number,
  input: Omit<WindowInput, 'overscan'>,
  align: 'start' | 'end' | 'nearest' = 'nearest'
): number => {
  const { viewport, rowHeight, count, scrollTop } = input
  const height = contentHeight(count, rowHeight, input.maxHeight)
  const rowsInView = viewport / rowHeight
  const current = topRow(input, height)
  let wanted: number
  if (align === 'start') wanted = index
  else if (align === 'end') wanted = index + 1 - rowsInView
  else if (index < current) wanted = index
  else if (index + 1 > current + rowsInView) wanted = index + 1 - rowsInView
  else return scrollTop
  const rows = Math.max(0, count - rowsInView)
  wanted = clamp(wanted, 0, rows)
  if (count * rowHeight <= height) return wanted * rowHeight
  return rows === 0 ? 0 : (wanted / rows) * Math.max(1, height - viewport)
}

/** Is the viewport at (or within `slack` px of) the bottom? Used to keep following live output. */
export const atBottom = (scrollTop: number, viewport: number, height: number, slack = 4): boolean => scrollTop + viewport >= height - slack
