import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import type { JobStep } from '../../domains/jobs/index.ts'
import { UnsafeParameter } from './errors.ts'
import { renderStep, shellQuote } from './shell.ts'

const commandStep = (command: string): JobStep => ({ kind: 'COMMAND', name: null, command, timeoutSeconds: null })
const render = (command: string, msg: string) => renderStep(commandStep(command), { msg }, 0).command ?? ''
const runIn = (shell: string, script: string) => spawnSync(shell, ['-c', script], { encoding: 'utf8' })

// Values that would run a command, or change the quoting, if they were pasted in as text.
const NASTY = [
  'hi; echo INJECTED',
  '$(echo INJECTED)',
  '`echo INJECTED`',
  "'; echo INJECTED; '",
  '"; echo INJECTED; "',
  "it's \"quoted\" \\ back\\slash",
  'a\necho INJECTED\nEOF\necho INJECTED',
  '$HOME ${PATH} $((1+1)) * ? [a] ~ !',
  ')) ; echo INJECTED ; ((',
  ''
]

// Each template prints the value once, between > and <, whatever quoting surrounds the reference.
const TEMPLATES = [
  "printf '>%s<\\n' {{msg}}",
  "printf '>%s<\\n' \"{{msg}}\"",
  "printf '>%s<\\n' '{{msg}}'",
  "printf '>%s<\\n' \"$(printf %s {{msg}})\"",
  "printf '>%s<\\n' \"`printf %s {{msg}}`\"",
  "x=$(printf %s \"{{msg}}\"); printf '>%s<\\n' \"$x\"",
  "printf '>%s<\\n' \"${UNSET_OPS_VAR:-{{msg}}}\"",
  "printf '>%s<\\n' ${UNSET_OPS_VAR:-{{msg}}}",
  "cat <<EOF\n>{{msg}}<\nEOF",
  "cat <<'EOF'\n>{{msg}}<\nEOF",
  "cat <<-\"END\"\n\t>{{msg}}<\n\tEND",
  "case x in x) printf '>%s<\\n' \"$(case y in y) printf %s {{msg}};; esac)\";; esac",
  "# a comment with {{msg}}\nprintf '>%s<\\n' {{msg}}"
]

describe('shellQuote', () => {
  it('wraps in single quotes and escapes single quotes', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`)
    expect(runIn('/bin/sh', `printf %s ${shellQuote("a'b $(x) \\ \"")}`).stdout).toBe("a'b $(x) \\ \"")
  })
})

describe('renderStep', () => {
  it('runs an injection attempt as one literal argument', () => {
    const script = render('echo {{msg}}', 'hi; echo INJECTED')
    expect(script).toBe(`echo 'hi; echo INJECTED'`)
    expect(runIn('/bin/sh', script).stdout).toBe('hi; echo INJECTED\n')
  })

  for (const shell of ['/bin/sh', 'bash']) {
    it(`keeps every nasty value literal in every quoting context (${shell})`, () => {
      for (const template of TEMPLATES) {
        for (const value of NASTY) {
          // Here-documents keep a trailing newline-free value as is; a value holding the
          // delimiter is refused (checked below), so skip that pair here.
          if (template.includes('<<') && value.split('\n').some((l) => l.trim() === 'EOF' || l.trim() === 'END')) continue
          const out = runIn(shell, render(template, value)).stdout
          expect({ template, value, out }).toEqual({ template, value, out: `>${value}<\n` })
        }
      }
    })
  }

  it('never runs a value in unquoted command substitutions either (word splitting aside)', () => {
    for (const template of ['echo `echo {{msg}}`', 'echo $(echo {{msg}})', 'echo $( (echo {{msg}}) )']) {
      for (const value of NASTY) {
        const out = runIn('/bin/sh', render(template, value))
        expect({ template, value, lines: out.stdout.split('\n') }).not.toEqual(expect.objectContaining({ lines: expect.arrayContaining(['INJECTED']) }))
      }
    }
  })

  it('refuses a value that would end a here-document early', () => {
    expect(() => render('cat <<EOF\n{{msg}}\nEOF', 'x\nEOF\nreboot')).toThrow(UnsafeParameter)
  })

  it('refuses places where no quoting is safe', () => {
    expect(() => render('echo \\{{msg}}', 'x')).toThrow(/backslash/)
    expect(() => render('echo ${{msg}}', 'x')).toThrow(/"\$"/)
    expect(() => render("echo $'{{msg}}'", 'x')).toThrow(/\$'/)
    expect(() => render('cat <<{{msg}}\nx\n', 'x')).toThrow(/delimiter/)
  })

  it('places shell-quoted values in shell scripts and refuses references in other interpreters', () => {
    const script: JobStep = { kind: 'SCRIPT', name: null, script: 'echo {{msg}}', interpreter: '/bin/bash', timeoutSeconds: 5 }
    expect(renderStep(script, { msg: 'a b' }, 2)).toEqual({ index: 2, kind: 'SCRIPT', script: "echo 'a b'", interpreter: '/bin/bash', timeoutSeconds: 5 })
    expect(() => renderStep({ ...script, interpreter: 'python3' }, { msg: 'x' }, 2)).toThrow(/python3/)
    expect(renderStep({ ...script, script: 'print(1)', interpreter: 'python3' }, {}, 2).script).toBe('print(1)')
  })

  it('puts raw values into upload content and path, refusing path traversal', () => {
    const upload: JobStep = { kind: 'UPLOAD', name: null, path: '/srv/{{app}}/config.yml', content: 'name: {{app}}\nport: {{port}}\n', mode: '0640', timeoutSeconds: null }
    expect(renderStep(upload, { app: "it's", port: 8080 }, 1)).toMatchObject({ path: "/srv/it's/config.yml", content: "name: it's\nport: 8080\n", mode: '0640' })
    expect(() => renderStep(upload, { app: '../../etc' }, 1)).toThrow(/\.\./)
    expect(() => renderStep(upload, { app: 'a\u0000b' }, 1)).toThrow(UnsafeParameter)
    expect(renderStep(upload, { app: 'v1..2' }, 1).path).toBe('/srv/v1..2/config.yml')
  })

  it('leaves unset optional parameters empty and other braces alone', () => {
    expect(render('echo {{msg}} {{other}} {{ not a ref }}', 'x')).toBe("echo 'x'  {{ not a ref }}")
  })
})
