export { createLogger, type Logger, type LoggerConfig } from './logger.js';
export { REDACT_PATHS, REDACTED } from './redaction.js';
export { createRegistry, Counter, Gauge, Histogram, Registry } from './metrics.js';
export {
  registerHealthRoutes,
  runChecks,
  startOpsServer,
  type HealthOptions,
  type OpsServer,
  type ReadinessCheck,
  type ReadinessReport,
} from './health.js';
export { installShutdown, type ShutdownStep } from './shutdown.js';
export { crashPoint } from './crash.js';
