import type { FastifyInstance } from 'fastify'

export interface ReadinessProbe {
  /** Name shown in the /readyz answer, e.g. `nats`. */
  readonly name: string
  readonly check: () => Promise<void>
}

/**
 * `/healthz`: the process answers. `/readyz`: every dependency answers within a second; the
 * body lists each one so an operator sees which is down.
 */
export const registerHealth = (app: FastifyInstance, probes: ReadonlyArray<ReadinessProbe>): void => {
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(
      probes.map(async (p) => {
        try {
          await withTimeout(p.check(), 1_000)
          return [p.name, 'ok'] as const
        } catch (error) {
          return [p.name, error instanceof Error ? error.message : 'failed'] as const
        }
      })
    )
    const ready = results.every(([, r]) => r === 'ok')
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) })
  })
}

const withTimeout = <A>(p: Promise<A>, ms: number): Promise<A> =>
  Promise.race([p, new Promise<A>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())])
