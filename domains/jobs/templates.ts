import type { ParameterValue } from './definition.ts'

/**
 * Steps refer to parameters as `{{name}}` (spaces inside the braces allowed). Other `{{…}}` text,
 * such as a Go or Jinja template in an uploaded file, is not a reference and is left alone.
 */
const REFERENCE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g

export const parameterReferences = (text: string): string[] => [...new Set([...text.matchAll(REFERENCE)].map((match) => match[1] ?? ''))]

/** Fills references with run values; an optional parameter left unset becomes the empty string. */
export const substituteParameters = (text: string, values: Readonly<Record<string, ParameterValue>>): string =>
  text.replace(REFERENCE, (_, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : ''))
