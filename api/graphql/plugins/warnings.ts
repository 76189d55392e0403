import type { ExecutionResult } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { ApiContext } from '../context.ts'

/** The answer with what resolvers noted in `context.warnings` as its `extensions.warnings`. */
export const withWarnings = (result: ExecutionResult, warnings: ApiContext['warnings']): ExecutionResult =>
  warnings.length === 0 || !('data' in result) ? result : { ...result, extensions: { ...result.extensions, warnings } }

export const useWarnings = (): Plugin<ApiContext> => ({
  onExecute: ({ args }) => ({
    onExecuteDone: ({ result, setResult }) => {
      if ('data' in result && args.contextValue.warnings.length > 0) setResult(withWarnings(result, args.contextValue.warnings))
    }
  })
})
