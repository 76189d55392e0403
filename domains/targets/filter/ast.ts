import type { ConnectionKind } from '../commands.ts'

/** Fields matched as text, by glob or regular expression. */
export type TextField = 'name' | 'address'

/**
 * A parsed target filter. `and`/`or` hold two or more items (a single item is unwrapped), so the
 * tree stays as flat as the text; `all` only ever stands alone, for an empty filter.
 */
export type FilterAst =
  | { readonly kind: 'all' }
  | { readonly kind: 'and'; readonly items: ReadonlyArray<FilterAst> }
  | { readonly kind: 'or'; readonly items: ReadonlyArray<FilterAst> }
  | { readonly kind: 'not'; readonly item: FilterAst }
  | { readonly kind: 'tag'; readonly tag: string }
  /** `*` any run of characters, `?` exactly one; compared case-insensitively. */
  | { readonly kind: 'glob'; readonly field: TextField; readonly pattern: string }
  /** `source` is the text between the slashes, limited to what JS and PostgreSQL agree on. */
  | { readonly kind: 'regex'; readonly field: TextField; readonly source: string; readonly ignoreCase: boolean }
  | { readonly kind: 'attribute'; readonly key: string; readonly value: string }
  | { readonly kind: 'connection'; readonly connection: ConnectionKind }
  | { readonly kind: 'id'; readonly id: string }
