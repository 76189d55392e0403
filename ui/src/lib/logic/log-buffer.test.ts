import { describe, expect, it } from 'vitest'
import { LogBuffer, LogView, searchLines, STDERR, type Chunk } from './log-buffer.ts'
import { ansiRuns, stripAnsi } from './ansi.ts'

let seq = 0
const out = (text: string, stepIndex = 0): Chunk => ({ seq: ++seq, stepIndex, stream: 'STDOUT', text })
const err = (text: string, stepIndex = 0): Chunk => ({ seq: ++seq, stepIndex, stream: 'STDERR', text })

describe('LogBuffer', () => {
  it('splits chunks into lines', () => {
    const b = new LogBuffer()
    b.append([out('one\ntwo\n'), out('three\n')])
    expect(b.lines).toEqual(['one', 'two', 'three'])
  })
  it('continues a line cut between chunks', () => {
    const b = new LogBuffer()
    b.append([out('hel'), out('lo\nwor'), out('ld\n')])
    expect(b.lines).toEqual(['hello', 'world'])
  })
  it('keeps stdout and stderr lines apart even when they interleave mid-line', () => {
    const b = new LogBuffer()
    b.append([out('progress'), err('warning\n'), out(' done\n')])
    expect(b.lines).toEqual(['progress done', 'warning'])
    expect(b.streams[1]).toBe(STDERR)
  })
  it('ignores chunks it already has', () => {
    const b = new LogBuffer()
    const first = out('a\n')
    b.append([first, out('b\n')])
    expect(b.append([first])).toBe(false)
    expect(b.lines).toEqual(['a', 'b'])
  })
  it('drops the \\r of \\r\\n line ends', () => {
    const b = new LogBuffer()
    b.append([out('win\r\nline\r\n')])
    expect(b.lines).toEqual(['win', 'line'])
  })
  it('grows past its first arrays', () => {
    const b = new LogBuffer()
    b.append([out('x\n'.repeat(5000))])
    expect(b.length).toBe(5000)
    expect(b.longest).toBe(1)
  })
})

describe('LogView', () => {
  const buffer = new LogBuffer()
  buffer.append([out('a0\n', 0), err('e0\n', 0), out('a1\n', 1), err('e1\n', 1)])
  it('shows every line without a filter', () => expect(new LogView(buffer, { stream: null, step: null }).sync()).toBe(4))
  it('filters by stream and step', () => {
    const v = new LogView(buffer, { stream: STDERR, step: 1 })
    expect(v.sync()).toBe(1)
    expect(buffer.lines[v.line(0)]).toBe('e1')
  })
  it('takes in new lines incrementally', () => {
    const v = new LogView(buffer, { stream: STDERR, step: null })
    v.sync()
    buffer.append([err('e2\n', 2)])
    expect(v.sync()).toBe(3)
    expect(v.position(4)).toBe(2)
  })
  it('finds lines case-insensitively, through colour codes', () => {
    const b = new LogBuffer()
    b.append([out('Error: disk\nok\n\x1b[31mERR\x1b[0mOR again\n')])
    const v = new LogView(b, { stream: null, step: null })
    expect(searchLines(b, v, 'error')).toEqual([0, 2])
  })
})

describe('ANSI', () => {
  it('strips codes', () => expect(stripAnsi('\x1b[1;32mok\x1b[0m done')).toBe('ok done'))
  it('turns colours into classes', () =>
    expect(ansiRuns('\x1b[31mred\x1b[0m plain \x1b[1;94mbright')).toEqual([
      { text: 'red', classes: 'fg-1' },
      { text: ' plain ', classes: '' },
      { text: 'bright', classes: 'fg-12 b' }
    ]))
  it('shows what follows a carriage return', () => expect(ansiRuns('10%\r50%\r100%')).toEqual([{ text: '100%', classes: '' }]))
  it('drops other escapes', () => expect(stripAnsi('\x1b]0;title\x07a\x1b[2Kb')).toBe('ab'))
})
