export * from './decider.ts'
export * from './errors.ts'
export * from './validate.ts'
export * from './envelope.ts'
