import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream'
import type { NatsConnection } from './connection.ts'

/**
 * The physical limit our command path is compared with: bare JetStream publish-with-ack of
 * 1 KiB messages to a file-backed stream, `inFlight` at a time. For benchmarks only.
 */
export const measurePublishRate = async (
  nc: NatsConnection,
  options: { readonly stream: string; readonly messages: number; readonly inFlight: number; readonly withMsgId: boolean }
): Promise<number> => {
  const jsm = await jetstreamManager(nc)
  const subject = `${options.stream.toLowerCase()}.probe`
  await jsm.streams.delete(options.stream).catch(() => false)
  await jsm.streams.add({ name: options.stream, subjects: [`${subject}.>`], storage: StorageType.File, duplicate_window: 120_000_000_000 })
  const js = jetstream(nc)
  const body = new Uint8Array(1024).fill(120)
  let next = 0
  const started = performance.now()
  const worker = async () => {
    while (next < options.messages) {
      const i = next++
      await js.publish(`${subject}.${i % 1000}`, body, options.withMsgId ? { msgID: `${options.stream}-${i}` } : undefined)
    }
  }
  await Promise.all(Array.from({ length: options.inFlight }, worker))
  const rate = options.messages / ((performance.now() - started) / 1000)
  await jsm.streams.delete(options.stream).catch(() => false)
  return rate
}
