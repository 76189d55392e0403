export type { FilterAst, TextField } from './ast.ts'
export type { FilterSyntaxError } from './errors.ts'
export { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseTargetFilter, type ParseResult } from './parser.ts'
