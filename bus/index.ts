export { connectBus, type NatsConnection } from './connection.ts'
export { busNames, type BusNames } from './names.ts'
export { provisionStreams, deleteStreams, type StreamOptions } from './streams.ts'
export { EventLog, WrongLastSequence, type LoggedMessage, type AppendResult } from './event-log.ts'
