import { createLogger, type Logger } from '@wxpay-saga/observability';

/** A real logger that writes only warnings and above (set TEST_LOG_LEVEL=debug to see more). */
export function testLogger(service = 'test'): Logger {
  return createLogger({ service, level: process.env.TEST_LOG_LEVEL ?? 'warn' });
}
