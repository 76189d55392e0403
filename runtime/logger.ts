import { pino, type DestinationStream, type Logger } from 'pino'

export type { Logger }

/**
 * Structured logs. Any field that can hold a secret is censored by path, as a last line of
 * defence: code should not log such values in the first place.
 */
export const createLogger = (level: string, name = 'opsconductor', destination?: DestinationStream): Logger =>
  pino(
  {
    name,
    level,
    redact: {
      paths: [
        'password', '*.password', 'privateKey', '*.privateKey', 'passphrase', '*.passphrase', 'secret', '*.secret',
        'token', '*.token', 'accessToken', '*.accessToken', 'refreshToken', '*.refreshToken',
        'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization', 'req.headers.cookie'
      ],
      censor: '[redacted]'
    }
  },
  destination
  )
