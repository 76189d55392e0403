import { parseTargetFilter } from '../../domains/targets/filter/index.ts'
import type { Queryable } from '../projection.ts'
import { asFilterError, compileTargetFilter, TargetFilterError } from '../target-filter-sql.ts'

export interface ResolvedTarget {
  readonly targetId: string
  readonly name: string
}

/**
 * The targets an execution will run on: the given ids (each must exist) and/or every target the
 * filter matches, in name order, de-duplicated, at most `limit`. Resolved once, when the run is
 * requested: later inventory changes don't move a running execution.
 */
export const resolveExecutionTargets = async (
  db: Queryable,
  selection: { readonly targetIds?: ReadonlyArray<string> | null; readonly targetFilter?: string | null },
  limit: number
): Promise<{ readonly targets: ResolvedTarget[]; readonly missing: string[]; readonly overLimit: boolean }> => {
  const found = new Map<string, string>()
  const ids = [...new Set(selection.targetIds ?? [])]
  const missing: string[] = []
  if (ids.length > 0) {
    const { rows } = await db.query('SELECT id, name FROM targets WHERE id = ANY($1::uuid[])', [ids])
    const byId = new Map((rows as Array<{ id: string; name: string }>).map((r) => [r.id, r.name]))
    for (const id of ids) {
      const name = byId.get(id)
      if (name === undefined) missing.push(id)
      else found.set(id, name)
    }
  }
  // A blank filter beside ids adds nothing: it must not read as "every target".
  const filter = selection.targetFilter?.trim()
  if (filter) {
    const parsed = parseTargetFilter(filter)
    if (!parsed.ok) throw new TargetFilterError(parsed.error.message, parsed.error.position, 'filter')
    const where = compileTargetFilter(parsed.filter)
    const { rows } = await db
      .query(`SELECT id, name FROM targets WHERE ${where.where} ORDER BY lower(name), id LIMIT ${Math.floor(limit) + 1}`, where.params)
      .catch((error: unknown) => Promise.reject(asFilterError(error)))
    for (const r of rows as Array<{ id: string; name: string }>) found.set(r.id, r.name)
  }
  const targets = [...found].map(([targetId, name]) => ({ targetId, name }))
  return { targets: targets.slice(0, limit), missing, overLimit: targets.length > limit }
}
