import { connect, type NatsConnection } from '@nats-io/transport-node'

export type { NatsConnection }

/** One connection per process and role; reconnects forever (the bus may restart under us). */
export const connectBus = (url: string, name: string): Promise<NatsConnection> =>
  connect({
    servers: url.split(',').map((s) => s.trim()),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: false,
    timeout: 5_000,
    // An Error (with stack capture) per request costs ~15% CPU at thousands of commands/s;
    // failures still carry their own error, just without the caller's async stack.
    noAsyncTraces: true
  })
