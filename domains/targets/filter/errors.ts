/** Why a filter text was refused: `position` is the 0-based offset of the fault in the text. */
export interface FilterSyntaxError {
  readonly field: 'filter'
  readonly position: number
  readonly message: string
}

export const filterSyntaxError = (position: number, what: string, detail?: string): FilterSyntaxError => ({
  field: 'filter',
  position,
  message: `filter: ${what} at position ${position}${detail ? `: ${detail}` : ''}`
})

/**
 * Carries a syntax error out of the recursive descent, which would otherwise thread a result
 * through every level. It never leaves `parseTargetFilter`, which turns it into a value.
 */
export class FilterFault {
  constructor(readonly error: FilterSyntaxError) {}
}

export const fault = (position: number, what: string, detail?: string): never => {
  throw new FilterFault(filterSyntaxError(position, what, detail))
}
