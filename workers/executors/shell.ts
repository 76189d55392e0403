import { parameterReferences, substituteParameters, type JobStep, type ParameterValue } from '../../domains/jobs/index.ts'
import { UnsafeParameter } from './errors.ts'
import { placeholder, placeInShell, shellQuote } from './shell-template.ts'
import type { StepSpec } from './types.ts'

export { shellQuote }

type Parameters = Readonly<Record<string, ParameterValue>>

// Scripts run by these are POSIX shell text, where `placeInShell` knows how to quote.
const SHELLS = /^(sh|bash|dash|ash|ksh|mksh|zsh)$/
// POSIX, or drive-absolute for WinRM targets (as the domain accepts).
const ABSOLUTE_PATH = /^(\/|[A-Za-z]:[\\/])/

/**
 * The step with `{{name}}` references filled in. Commands and shell scripts get each value quoted
 * for the spot it lands in (so `x; rm -rf /` or `$(reboot)` stays one literal argument); upload
 * path and content get the raw value. Unset optional parameters become empty, as in the domain.
 * @throws UnsafeParameter when a value cannot be placed safely (see the messages).
 */
export function renderStep(step: JobStep, parameters: Parameters, index: number): StepSpec {
  const timeoutSeconds = step.timeoutSeconds
  switch (step.kind) {
    case 'COMMAND':
      return { index, kind: 'COMMAND', command: inShell(step.command, parameters, index), timeoutSeconds }
    case 'SCRIPT': {
      const program = step.interpreter.split('/').pop() ?? ''
      if (!SHELLS.test(program) && parameterReferences(step.script).length > 0) {
        throw new UnsafeParameter({ step: index, reason: `parameters can only be placed in shell scripts, not in ${step.interpreter} scripts` })
      }
      return { index, kind: 'SCRIPT', script: inShell(step.script, parameters, index), interpreter: step.interpreter, timeoutSeconds }
    }
    case 'UPLOAD':
      return { index, kind: 'UPLOAD', path: uploadPath(step.path, parameters, index), content: substituteParameters(step.content, parameters), mode: step.mode, timeoutSeconds }
    default:
      return unknownKind(step)
  }
}

function inShell(text: string, parameters: Parameters, index: number): string {
  // Let the domain find the references (same syntax everywhere), then quote by context.
  const values: string[] = []
  const marked: Record<string, string> = {}
  for (const [name, value] of Object.entries(parameters)) {
    marked[name] = placeholder(values.push(String(value)) - 1)
  }
  if (values.some((v) => v.includes('\u0000'))) throw new UnsafeParameter({ step: index, reason: 'a parameter value contains a NUL character' })
  const placed = placeInShell(substituteParameters(text, marked), values)
  if ('fault' in placed) throw new UnsafeParameter({ step: index, reason: placed.fault })
  return placed.text
}

function uploadPath(template: string, parameters: Parameters, index: number): string {
  const path = substituteParameters(template, parameters)
  // A value must not walk out of the directory the job author chose.
  if (path.includes('\u0000') || path.split(/[\\/]/).includes('..')) {
    throw new UnsafeParameter({ step: index, reason: 'the upload path must not contain ".." segments or NUL characters' })
  }
  // The path is not quoted back: it may hold a SECRET parameter, cut or escaped beyond masking.
  if (!ABSOLUTE_PATH.test(path)) throw new UnsafeParameter({ step: index, reason: 'the upload path must be absolute' })
  return path
}

function unknownKind(step: never): never {
  throw new Error(`unknown step kind ${JSON.stringify(step)}`)
}
