import type { Logger } from './logger.js';

export interface ShutdownStep {
  readonly name: string;
  run(): Promise<void>;
}

/**
 * Runs the steps in order on SIGTERM/SIGINT (stop intake, drain, flush, quit clients), then exits 0.
 * A second signal, or a drain longer than `graceMs`, exits 1 so an orchestrator is never left waiting.
 */
export function installShutdown(
  logger: Logger,
  steps: readonly ShutdownStep[],
  graceMs = 15_000,
): () => Promise<void> {
  let started: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    started ??= (async () => {
      const timer = setTimeout(() => {
        logger.error({ graceMs }, 'shutdown took too long; exiting');
        process.exit(1);
      }, graceMs);
      timer.unref();
      for (const step of steps) {
        try {
          await step.run();
          logger.info({ step: step.name }, 'shutdown step done');
        } catch (err) {
          logger.error({ err, step: step.name }, 'shutdown step failed');
        }
      }
      clearTimeout(timer);
    })();
    return started;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      logger.warn({ signal }, 'second signal; exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down');
    void shutdown().then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return shutdown;
}
