/**
 * CPU time spent by each part of the system while a bench phase runs, read from /proc (Linux):
 * on a 2-core machine shared by every process, throughput is bounded by the sum of what each
 * part spends per command, so this tells where a command's cost goes and what the ceiling is.
 */
import { readdirSync, readFileSync } from 'node:fs'

export type Part = 'command process' | 'sink process' | 'PostgreSQL' | 'NATS' | 'API process' | 'HTTP clients' | 'other'

const TICKS_PER_SECOND = 100 // USER_HZ on Linux

interface ProcessTime {
  readonly pid: number
  readonly name: string
  readonly ticks: number
}

const readAll = (): ProcessTime[] => {
  const found: ProcessTime[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
      found.push({ pid: Number(entry), name, ticks: Number(fields[11]) + Number(fields[12]) })
    } catch {
      // the process ended between listing and reading
    }
  }
  return found
}

export interface Roles {
  /** What this process is in the phase; 'command process' unless said otherwise. */
  readonly self?: Part
  readonly sinkPid?: number
  /** A load generator's process (HTTP clients). */
  readonly clientPid?: number
}

const partOf = (p: ProcessTime, roles: Roles): Part =>
  p.pid === process.pid
    ? (roles.self ?? 'command process')
    : p.pid === roles.sinkPid
      ? 'sink process'
      : p.pid === roles.clientPid
        ? 'HTTP clients'
        : p.name === 'postgres'
          ? 'PostgreSQL'
          : p.name === 'nats-server'
            ? 'NATS'
            : 'other'

export interface CpuSplit {
  /** CPU seconds per part over the phase. */
  readonly seconds: Readonly<Record<Part, number>>
}

/** Starts counting; the returned function stops and answers the CPU seconds each part used. */
export const startCpuAccount = (roles: Roles = {}): (() => CpuSplit) => {
  const before = new Map(readAll().map((p) => [p.pid, p.ticks]))
  return () => {
    const seconds: Record<Part, number> = { 'command process': 0, 'sink process': 0, PostgreSQL: 0, NATS: 0, 'API process': 0, 'HTTP clients': 0, other: 0 }
    for (const p of readAll()) {
      // Processes started during the phase (PostgreSQL backends) count from zero.
      const used = (p.ticks - (before.get(p.pid) ?? 0)) / TICKS_PER_SECOND
      if (used > 0) seconds[partOf(p, roles)] += used
    }
    return { seconds }
  }
}

/** "command process 170 µs, sink 70 µs, …" per unit of work. */
export const describeSplit = (split: CpuSplit, units: number, parts: ReadonlyArray<Part>): string =>
  parts.map((part) => `${part} ${Math.round((split.seconds[part] / units) * 1e6)} µs`).join(', ')

export const totalMicros = (split: CpuSplit, units: number, parts: ReadonlyArray<Part>): number =>
  (parts.reduce((sum, part) => sum + split.seconds[part], 0) / units) * 1e6

/**
 * Waits (at most `maxMs`) until the machine is nearly idle: a phase that starts while the
 * previous one's processes still wind down (a sink finishing, PostgreSQL checkpointing after a
 * dropped database) would measure their work as its own.
 */
export const settle = async (maxMs = 15_000, busyShare = 0.15): Promise<void> => {
  const total = () => {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
    const idle = fields[3]! + (fields[4] ?? 0)
    return { idle, all: fields.reduce((a, b) => a + b, 0) }
  }
  const deadline = Date.now() + maxMs
  while (Date.now() < deadline) {
    const a = total()
    await new Promise((r) => setTimeout(r, 500))
    const b = total()
    const busy = 1 - (b.idle - a.idle) / Math.max(1, b.all - a.all)
    if (busy < busyShare) return
  }
}
