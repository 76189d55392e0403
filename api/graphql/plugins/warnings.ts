import type { Plugin } from 'graphql-yoga'
import type { ApiContext } from '../context.ts'

/** Adds what resolvers noted in `context.warnings` to the answer's `extensions.warnings`. */
export const useWarnings = (): Plugin<ApiContext> => ({
  onExecute: ({ args }) => ({
    onExecuteDone: ({ result, setResult }) => {
      const warnings = args.contextValue.warnings
      if (warnings.length === 0 || !('data' in result)) return
      setResult({ ...result, extensions: { ...result.extensions, warnings } })
    }
  })
})
