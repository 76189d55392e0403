import { describe, expect, it } from 'vitest'
import { createMasker, secretsOfRun } from './masker.ts'

/** Feeds `text` in the given pieces and returns everything the masker let out. */
const through = (secrets: string[], pieces: string[]): string => {
  const m = createMasker(secrets)
  return Buffer.concat([...pieces.map((p) => m.write(Buffer.from(p))), m.end()]).toString()
}

/** Every way to cut `text` into three pieces. */
const allSplits = (text: string): string[][] => {
  const out: string[][] = []
  for (let a = 0; a <= text.length; a++) for (let b = a; b <= text.length; b++) out.push([text.slice(0, a), text.slice(a, b), text.slice(b)])
  return out
}

describe('createMasker', () => {
  it('masks every occurrence in one chunk', () => {
    expect(through(['hunter22'], ['pw=hunter22 again hunter22.'])).toBe('pw=**** again ****.')
  })

  it('masks a secret split across chunk boundaries, wherever the cuts fall', () => {
    const text = 'user=admin password=S3cr3t!pw and token=tok-ABCDEFG end'
    const expected = 'user=admin password=**** and token=**** end'
    for (const pieces of allSplits(text)) expect(through(['S3cr3t!pw', 'tok-ABCDEFG'], pieces)).toBe(expected)
  })

  it('masks a secret delivered one byte at a time', () => {
    expect(through(['passphrase-1'], [...'x passphrase-1 y passphrase-1'])).toBe('x **** y ****')
  })

  it('prefers the longest secret at the same place and masks overlapping ones', () => {
    expect(through(['abcd', 'abcdefgh'], ['xxabcdefghyy abcd'])).toBe('xx****yy ****')
    expect(through(['aaaa'], ['aaaaaaaaa'])).toBe('********a')
  })

  it('ignores secrets shorter than 4 characters and passes output through untouched', () => {
    expect(through(['abc', ''], ['abc abc'])).toBe('abc abc')
    const m = createMasker([])
    const chunk = Buffer.from('same buffer')
    expect(m.write(chunk)).toBe(chunk)
  })

  it('holds back only an end that could start a secret, so live lines pass at once', () => {
    const m = createMasker(['12345678', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ'])
    expect(m.write(Buffer.from('line 1\n')).toString()).toBe('line 1\n')
    expect(m.write(Buffer.from('abc 1234')).toString()).toBe('abc ')
    expect(m.write(Buffer.from('5678 then 12')).toString()).toBe('**** then ')
    expect(m.write(Buffer.from('3 done\n')).toString()).toBe('123 done\n')
    expect(m.end().toString()).toBe('')
  })

  it('masks multi-byte secrets split inside a character', () => {
    const secret = 'pässwörd'
    const bytes = Buffer.from(`a ${secret} b`)
    const m = createMasker([secret])
    const parts = [bytes.subarray(0, 4), bytes.subarray(4, 9), bytes.subarray(9)]
    expect(Buffer.concat([...parts.map((p) => m.write(p)), m.end()]).toString()).toBe('a **** b')
  })

  it('masks a secret base64-encoded at any alignment, URL-encoded, JSON-escaped or shell-quoted', () => {
    const secret = "p@ss/w'rd:42"
    for (const before of ['', 'u', 'us']) {
      const encoded = Buffer.from(`${before}${secret}-and-more`).toString('base64')
      expect(through([secret], [encoded])).not.toContain(Buffer.from(secret).toString('base64').slice(0, 8))
      expect(through([secret], [encoded])).toContain('****')
    }
    expect(through([secret], [`GET /?p=${encodeURIComponent(secret)} HTTP/1.1`])).toBe('GET /?p=**** HTTP/1.1')
    expect(through([secret], [`{"password":${JSON.stringify(secret)}}`])).toBe('{"password":"****"}')
    expect(through([secret], [`+ curl -u 'ada:p@ss/w'\\''rd:42'`])).toBe("+ curl -u 'ada:****'")
    // Basic auth, as `curl -v` prints it.
    const basic = Buffer.from(`ada:${secret}`).toString('base64')
    expect(through([secret], [`> Authorization: Basic ${basic}`])).not.toContain(basic.slice(4, 12))
  })

  it('masks every line of a private key body', () => {
    const body = ['b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ', 'AAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgQ2Vv']
    const key = ['-----BEGIN OPENSSH PRIVATE KEY-----', ...body, '-----END OPENSSH PRIVATE KEY-----'].join('\n')
    const secrets = secretsOfRun([], { privateKey: key })
    expect(through(secrets, [key])).toBe('-----BEGIN OPENSSH PRIVATE KEY-----\n****\n****\n-----END OPENSSH PRIVATE KEY-----')
  })
})
