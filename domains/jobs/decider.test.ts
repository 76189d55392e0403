import { describe, expect, it } from 'vitest'
import { specFor } from '../shared/testing.ts'
import type { DefineJob, ParameterInput, StepInput } from './commands.ts'
import { jobDecider } from './decider.ts'
import type { JobDefined, JobEvent } from './events.ts'

const spec = specFor(jobDecider)
const jobId = 'b7e1c2d3-4f5a-4b6c-8d7e-9f0a1b2c3d4e'
const at = '2025-01-01T00:00:00.000Z'
const KiB = 1024

const define: DefineJob = {
  type: 'DefineJob',
  jobId,
  name: 'Restart nginx',
  steps: [{ kind: 'COMMAND', command: 'systemctl restart {{ service }}' }],
  parameters: [{ name: 'service', type: 'STRING', default: 'nginx', pattern: '[a-z-]+' }],
  at
}
const canonicalStep = { name: null, timeoutSeconds: null, kind: 'COMMAND', command: 'systemctl restart {{ service }}' } as const
const canonicalParameter = { name: 'service', type: 'STRING', required: false, default: 'nginx', pattern: '[a-z-]+', choices: null } as const
const defined: JobEvent = {
  type: 'JobDefined',
  data: { jobId, version: 1, name: 'Restart nginx', description: null, steps: [canonicalStep], parameters: [canonicalParameter], concurrency: { policy: 'ALLOW', max: 1 } }
}
/** As stored before jobs had a concurrency setting. */
const { concurrency: _concurrency, ...legacyData } = defined.data as JobDefined['data']
const definedBeforeConcurrency: JobEvent = { type: 'JobDefined', data: legacyData }
const archived: JobEvent = { type: 'JobArchived', data: { jobId, version: 1 } }
const withSteps = (...steps: object[]) => ({ ...define, steps: steps as StepInput[] })
const withParameters = (...parameters: object[]) => ({ ...define, steps: [{ kind: 'COMMAND', command: 'true' }] as StepInput[], parameters: parameters as ParameterInput[] })
const revise = { type: 'ReviseJob' as const, jobId, steps: define.steps, parameters: define.parameters, at }

describe('Job', () => {
  describe('when absent', () => {
    it('defines version 1 in canonical form', () => spec().when(define).then([defined]))
    it('fills in the SCRIPT interpreter and pads the UPLOAD mode', () =>
      spec()
        .when(withSteps({ kind: 'SCRIPT', script: 'echo hi', timeoutSeconds: 60 }, { name: 'conf', kind: 'UPLOAD', path: '/etc/x.conf', content: '', mode: '644' }))
        .then([
          {
            type: 'JobDefined',
            data: {
              ...defined.data,
              steps: [
                { name: null, timeoutSeconds: 60, kind: 'SCRIPT', script: 'echo hi', interpreter: '/bin/sh' },
                { name: 'conf', timeoutSeconds: null, kind: 'UPLOAD', path: '/etc/x.conf', content: '', mode: '0644' }
              ]
            }
          }
        ]))
    it('rejects a malformed id', () => spec().when({ ...define, jobId: 'job-1' }).thenRejects('InvalidInput', 'id'))
    it('rejects an empty name', () => spec().when({ ...define, name: ' ' }).thenRejects('InvalidInput', 'name'))
    it('rejects a name over 128 characters', () => spec().when({ ...define, name: 'n'.repeat(129) }).thenRejects('InvalidInput', 'name'))
    it('rejects a job without steps', () => spec().when(withSteps()).thenRejects('InvalidInput', 'steps'))
    it('rejects more than 100 steps', () =>
      spec().when(withSteps(...Array.from({ length: 101 }, () => ({ kind: 'COMMAND', command: 'true' })))).thenRejects('InvalidInput', 'steps'))
    it('rejects an unknown step kind', () => spec().when(withSteps({ kind: 'SQL', command: 'x' })).thenRejects('InvalidInput', 'steps[0].kind'))
    it('rejects a COMMAND step without a command', () => spec().when(withSteps({ kind: 'COMMAND' })).thenRejects('InvalidInput', 'steps[0].command'))
    it('rejects a command over 64 KiB', () =>
      spec().when(withSteps({ kind: 'COMMAND', command: 'x'.repeat(64 * KiB + 1) })).thenRejects('InvalidInput', 'steps[0].command'))
    it('rejects a script on a COMMAND step', () =>
      spec().when(withSteps({ kind: 'COMMAND', command: 'true', script: 'echo' })).thenRejects('InvalidInput', 'steps[0].script'))
    it('rejects a misspelt step field', () => spec().when(withSteps({ kind: 'COMMAND', comand: 'true' })).thenRejects('InvalidInput', 'steps[0].comand'))
    it('rejects a SCRIPT step without a script', () => spec().when(withSteps({ kind: 'SCRIPT', script: '' })).thenRejects('InvalidInput', 'steps[0].script'))
    it('rejects a script over 1 MiB', () =>
      spec().when(withSteps({ kind: 'SCRIPT', script: 'é'.repeat(512 * KiB + 1) })).thenRejects('InvalidInput', 'steps[0].script'))
    it('rejects a relative interpreter path with arguments', () =>
      spec().when(withSteps({ kind: 'SCRIPT', script: 'x', interpreter: 'bin/env python' })).thenRejects('InvalidInput', 'steps[0].interpreter'))
    it('rejects an UPLOAD to a relative path', () =>
      spec().when(withSteps({ kind: 'UPLOAD', path: 'etc/x', content: 'x' })).thenRejects('InvalidInput', 'steps[0].path'))
    it('rejects an UPLOAD without content', () => spec().when(withSteps({ kind: 'UPLOAD', path: '/etc/x' })).thenRejects('InvalidInput', 'steps[0].content'))
    it('rejects a non-octal mode', () =>
      spec().when(withSteps({ kind: 'UPLOAD', path: '/etc/x', content: 'x', mode: '0988' })).thenRejects('InvalidInput', 'steps[0].mode'))
    it('rejects a timeout over a day', () =>
      spec().when(withSteps({ kind: 'COMMAND', command: 'true', timeoutSeconds: 86401 })).thenRejects('InvalidInput', 'steps[0].timeoutSeconds'))
    it('rejects a zero timeout', () =>
      spec().when(withSteps({ kind: 'COMMAND', command: 'true', timeoutSeconds: 0 })).thenRejects('InvalidInput', 'steps[0].timeoutSeconds'))
    it('rejects a reference to an undefined parameter', () => {
      const rejection = spec().when(withSteps({ kind: 'COMMAND', command: 'echo {{ nope }}' })).thenRejects('InvalidInput', 'steps[0].command')
      expect(rejection.message).toContain('{{nope}}')
    })
    it('rejects an undefined parameter in an upload path', () =>
      spec().when(withSteps({ kind: 'COMMAND', command: 'true' }, { kind: 'UPLOAD', path: '/tmp/{{dir}}/x', content: 'x' })).thenRejects('InvalidInput', 'steps[1].path'))
    it('leaves other template syntax in uploaded content alone', () =>
      expect(jobDecider.decide(withSteps({ kind: 'UPLOAD', path: '/etc/x', content: '{{ .Values.x }}' }), jobDecider.initialState).ok).toBe(true))
    it('rejects a parameter name that is not an identifier', () => spec().when(withParameters({ name: '1x', type: 'STRING' })).thenRejects('InvalidInput', 'parameters[0].name'))
    it('rejects a duplicate parameter name', () =>
      spec().when(withParameters({ name: 'x', type: 'STRING' }, { name: 'x', type: 'INT' })).thenRejects('InvalidInput', 'parameters[1].name'))
    it('rejects an unknown parameter type', () => spec().when(withParameters({ name: 'x', type: 'FLOAT' })).thenRejects('InvalidInput', 'parameters[0].type'))
    it('rejects a pattern that does not compile', () =>
      spec().when(withParameters({ name: 'x', type: 'STRING' }, { name: 'y', type: 'STRING', pattern: '([a-z' })).thenRejects('InvalidInput', 'parameters[1].pattern'))
    it('rejects a pattern on an INT parameter', () => spec().when(withParameters({ name: 'x', type: 'INT', pattern: '\\d+' })).thenRejects('InvalidInput', 'parameters[0].pattern'))
    it('rejects an ENUM without choices', () => spec().when(withParameters({ name: 'x', type: 'ENUM', choices: [] })).thenRejects('InvalidInput', 'parameters[0].choices'))
    it('rejects repeated choices', () => spec().when(withParameters({ name: 'x', type: 'ENUM', choices: ['a', 'a'] })).thenRejects('InvalidInput', 'parameters[0].choices[1]'))
    it('rejects choices on a STRING parameter', () => spec().when(withParameters({ name: 'x', type: 'STRING', choices: ['a'] })).thenRejects('InvalidInput', 'parameters[0].choices'))
    it('rejects a default outside the choices', () =>
      spec().when(withParameters({ name: 'x', type: 'ENUM', choices: ['a'], default: 'b' })).thenRejects('InvalidInput', 'parameters[0].default'))
    it('rejects a default that breaks the pattern', () =>
      spec().when(withParameters({ name: 'x', type: 'STRING', pattern: '[a-z]+', default: 'A1' })).thenRejects('InvalidInput', 'parameters[0].default'))
    it('rejects a non-integer INT default', () => spec().when(withParameters({ name: 'x', type: 'INT', default: 1.5 })).thenRejects('InvalidInput', 'parameters[0].default'))
    it('rejects a default on a SECRET parameter', () => spec().when(withParameters({ name: 'x', type: 'SECRET', default: 'pw' })).thenRejects('InvalidInput', 'parameters[0].default'))
    it('rejects more than 50 parameters', () =>
      spec().when(withParameters(...Array.from({ length: 51 }, (_, i) => ({ name: `p${i}`, type: 'BOOL' })))).thenRejects('InvalidInput', 'parameters'))
    it('rejects a misspelt parameter field', () => spec().when(withParameters({ name: 'x', type: 'BOOL', requird: true })).thenRejects('InvalidInput', 'parameters[0].requird'))
    it('stores a QUEUE policy with its max', () =>
      spec()
        .when({ ...define, concurrency: { policy: 'QUEUE', max: 3 } })
        .then([{ type: 'JobDefined', data: { ...defined.data, concurrency: { policy: 'QUEUE', max: 3 } } }]))
    it('takes max 1 when a policy comes without one', () =>
      spec()
        .when({ ...define, concurrency: { policy: 'SKIP' } })
        .then([{ type: 'JobDefined', data: { ...defined.data, concurrency: { policy: 'SKIP', max: 1 } } }]))
    it('rejects an unknown concurrency policy', () =>
      spec().when({ ...define, concurrency: { policy: 'PARALLEL' as 'ALLOW' } }).thenRejects('InvalidInput', 'concurrency.policy'))
    it('rejects a concurrency without a policy', () =>
      spec().when({ ...define, concurrency: { max: 2 } as never }).thenRejects('InvalidInput', 'concurrency.policy'))
    it('rejects a max of 0', () => spec().when({ ...define, concurrency: { policy: 'QUEUE', max: 0 } }).thenRejects('InvalidInput', 'concurrency.max'))
    it('rejects a max over 100', () => spec().when({ ...define, concurrency: { policy: 'SKIP', max: 101 } }).thenRejects('InvalidInput', 'concurrency.max'))
    it('rejects a fractional max', () => spec().when({ ...define, concurrency: { policy: 'SKIP', max: 1.5 } }).thenRejects('InvalidInput', 'concurrency.max'))
    it('rejects a misspelt concurrency field', () =>
      spec().when({ ...define, concurrency: { policy: 'SKIP', maximum: 2 } as never }).thenRejects('InvalidInput', 'concurrency.maximum'))
    it('rejects a concurrency that is not an object', () => spec().when({ ...define, concurrency: 'SKIP' as never }).thenRejects('InvalidInput', 'concurrency'))
    it('rejects revising a job that does not exist', () => spec().when(revise).thenRejects('JobNotFound'))
    it('rejects archiving a job that does not exist', () => spec().when({ type: 'ArchiveJob', jobId, at }).thenRejects('JobNotFound'))
  })

  describe('when defined', () => {
    it('ignores the same definition sent again', () => spec([defined]).when(define).thenNothing())
    it('ignores it even when stored keys come back in another order', () => {
      const reversed = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).reverse()) as T
      const data: JobDefined['data'] = { ...reversed(defined.data as JobDefined['data']), parameters: [reversed(canonicalParameter)], steps: [reversed(canonicalStep)] }
      const reordered: JobEvent = { type: 'JobDefined', data }
      spec([reordered]).when(define).thenNothing()
    })
    it('reads a definition stored before concurrency existed as ALLOW', () => {
      const state = jobDecider.evolve(jobDecider.initialState, definedBeforeConcurrency)
      expect(state.status === 'active' && state.definition.concurrency).toEqual({ policy: 'ALLOW', max: 1 })
    })
    it('ignores the same definition sent again over an event stored before concurrency existed', () =>
      spec([definedBeforeConcurrency]).when(define).thenNothing())
    it('revises the concurrency alone', () =>
      spec([defined])
        .when({ ...revise, concurrency: { policy: 'SKIP', max: 2 } })
        .then([{ type: 'JobRevised', data: { ...defined.data, version: 2, concurrency: { policy: 'SKIP', max: 2 } } }]))
    it('keeps the concurrency when a revision leaves it out', () => {
      const queued: JobEvent = { type: 'JobDefined', data: { ...(defined.data as JobDefined['data']), concurrency: { policy: 'QUEUE', max: 3 } } }
      spec([queued]).when(revise).thenNothing()
    })
    it('rejects an invalid concurrency in a revision', () =>
      spec([defined]).when({ ...revise, concurrency: { policy: 'QUEUE', max: 101 } }).thenRejects('InvalidInput', 'concurrency.max'))
    it('rejects a second definition with other steps', () =>
      spec([defined]).when(withSteps({ kind: 'COMMAND', command: 'reboot {{service}}' })).thenRejects('JobAlreadyDefined'))
    it('revises into version 2 with the full definition', () =>
      spec([defined])
        .when({ ...revise, steps: [{ kind: 'COMMAND', command: 'systemctl reload {{service}}' }] })
        .then([{ type: 'JobRevised', data: { ...defined.data, version: 2, steps: [{ ...canonicalStep, command: 'systemctl reload {{service}}' }] } }]))
    it('records nothing when the revision changes nothing', () => spec([defined]).when(revise).thenNothing())
    it('renames through a revision', () =>
      spec([defined]).when({ ...revise, name: 'Restart web' }).then([{ type: 'JobRevised', data: { ...defined.data, version: 2, name: 'Restart web' } }]))
    it('rejects an invalid revision', () => spec([defined]).when({ ...revise, steps: [] }).thenRejects('InvalidInput', 'steps'))
    it('archives the job', () => spec([defined]).when({ type: 'ArchiveJob', jobId, at }).then([archived]))
  })

  describe('when archived', () => {
    const given = [defined, archived]
    it('is terminal', () => expect(jobDecider.isTerminal?.(given.reduce(jobDecider.evolve, jobDecider.initialState))).toBe(true))
    it('rejects a revision', () => spec(given).when({ ...revise, name: 'x' }).thenRejects('JobAlreadyArchived'))
    it('rejects defining it again', () => spec(given).when(define).thenRejects('JobAlreadyArchived'))
    it('ignores a second archive', () => spec(given).when({ type: 'ArchiveJob', jobId, at }).thenNothing())
  })
})
