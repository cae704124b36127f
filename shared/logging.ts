import { createRequire } from 'node:module';
import pino, { type Logger, type LoggerOptions } from 'pino';
import type PinoPretty from 'pino-pretty';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line. */
const REDACT = [
  'password',
  'secret',
  'privateKey',
  'key',
  'token',
  '*.password',
  '*.secret',
  '*.privateKey',
  '*.key',
  '*.token',
  'headers.authorization',
];

export interface LoggerSettings {
  level?: string;
  /** Human-readable output; by default only when stderr is a terminal. */
  pretty?: boolean;
  /** Where JSON lines go; standard error by default so that standard output stays data. */
  destination?: NodeJS.WritableStream;
}

/**
 * The root logger of a process. Components take a child of it
 * (`logger.child({ component: 'serial' })`), never a global.
 */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env['EMBERWATCH_LOG_LEVEL'] ?? 'info',
    base: { pid: process.pid },
    redact: { paths: REDACT, censor: '[redacted]' },
  };
  const pretty = settings.pretty ?? (settings.destination === undefined && process.stderr.isTTY);
  if (pretty) return pino(options, prettyStream());
  return pino(options, settings.destination ?? pino.destination({ fd: 2, sync: true }));
}

/** A logger that writes nothing, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * pino-pretty in this thread, writing to standard error synchronously. Not
 * as a pino transport: that starts a worker thread, a second V8 heap of its
 * own, which took the edge agent started in a terminal over its 120 MB.
 * Loaded only when asked for, so JSON logging never carries it.
 */
function prettyStream(): PinoPretty.PrettyStream {
  const build = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return build({ destination: 2, sync: true });
}
