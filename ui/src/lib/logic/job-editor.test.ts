import { describe, expect, it } from 'vitest'
import type { Job } from '../api/types.ts'
import { emptyJob, jobDraft, jobInput, move, newParameter, newStep } from './job-editor.ts'
import { diffLines, diffStats, jobText } from './diff.ts'

describe('the job editor', () => {
  it('requires a name and a command', () => {
    expect(jobInput(emptyJob())).toMatchObject({ ok: false, field: 'name' })
    expect(jobInput({ ...emptyJob(), name: 'x' })).toMatchObject({ ok: false, field: 'steps[0].command' })
  })
  it('builds the steps and parameters the API takes', () => {
    const draft = emptyJob()
    draft.name = 'deploy'
    draft.steps = [{ ...newStep('COMMAND'), command: 'echo {{service}}', timeoutSeconds: '30' }, { ...newStep('UPLOAD'), path: '/tmp/x', content: 'hi', mode: '0644' }]
    draft.parameters = [{ ...newParameter(), name: 'service', required: true, pattern: '[a-z]+' }, { ...newParameter(), name: 'n', type: 'INT', default: '3' }, { ...newParameter(), name: 'env', type: 'ENUM', choices: 'dev\nprod\n' }]
    expect(jobInput(draft)).toEqual({
      ok: true,
      value: {
        name: 'deploy',
        description: null,
        steps: [{ kind: 'COMMAND', command: 'echo {{service}}', timeoutSeconds: 30 }, { kind: 'UPLOAD', path: '/tmp/x', content: 'hi', mode: '0644' }],
        parameters: [
          { name: 'service', type: 'STRING', required: true, pattern: '[a-z]+' },
          { name: 'n', type: 'INT', required: false, default: 3 },
          { name: 'env', type: 'ENUM', required: false, choices: ['dev', 'prod'] }
        ]
      }
    })
  })
  it('points at a bad default', () => {
    const draft = { ...emptyJob(), name: 'x', steps: [{ ...newStep(), command: 'true' }], parameters: [{ ...newParameter(), name: 'n', type: 'INT' as const, default: 'many' }] }
    expect(jobInput(draft)).toMatchObject({ ok: false, field: 'parameters[0].default' })
  })
  it('reorders steps', () => expect(move(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']))
})

const job = (fields: Partial<Job>): Job => ({
  id: 'j', name: 'deploy', description: null, version: 1, archived: false, createdAt: '', updatedAt: '',
  steps: [{ name: null, kind: 'COMMAND', command: 'echo hi', script: null, interpreter: null, path: null, content: null, mode: null, timeoutSeconds: null }],
  parameters: [],
  ...fields
})

describe('job versions', () => {
  it('round-trips a job through the editor', () => {
    const draft = jobDraft(job({}))
    expect(jobInput(draft)).toMatchObject({ ok: true, value: { name: 'deploy', steps: [{ kind: 'COMMAND', command: 'echo hi' }] } })
  })
  it('shows what changed between two versions', () => {
    const a = jobText(job({}))
    const b = jobText(job({ steps: [{ ...job({}).steps[0]!, command: 'echo hello' }] }))
    const diff = diffLines(a, b)
    expect(diffStats(diff)).toEqual({ added: 1, removed: 1 })
    expect(diff.find((l) => l.kind === 'added')?.text).toContain('echo hello')
  })
  it('diffs by lines, keeping common ones', () =>
    expect(diffLines(['a', 'b', 'c'], ['a', 'c', 'd']).map((l) => `${l.kind[0]}${l.text}`)).toEqual(['sa', 'rb', 'sc', 'ad']))
})
