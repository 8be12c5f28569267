/**
 * `npm run sandbox`: parse the environment (a bad value exits 1 naming the variable), start, print the
 * merchant settings as KEY=value lines and `SANDBOX READY <url>`, close cleanly on SIGTERM/SIGINT.
 */
import { loadConfig } from '@wxpay-saga/config';
import { createLogger, installShutdown } from '@wxpay-saga/observability';
import { sandboxEnv } from './config.js';
import { startSandbox } from './server.js';

const env = loadConfig(sandboxEnv);
const logger = createLogger({ service: 'wechatpay-sandbox', level: env.LOG_LEVEL });

try {
  const sandbox = await startSandbox({
    host: env.SANDBOX_HOST,
    port: env.SANDBOX_PORT,
    keyDir: env.SANDBOX_KEY_DIR,
    keyMode: env.SANDBOX_KEY_MODE,
    timeFactor: env.SANDBOX_TIME_FACTOR,
    strictTimeExpire: env.SANDBOX_STRICT_TIME_EXPIRE,
    allowLoopbackNotify: env.SANDBOX_ALLOW_LOOPBACK_NOTIFY,
    allowHttpNotifyHosts: env.SANDBOX_ALLOW_HTTP_NOTIFY_HOSTS,
    closePaidBehavior: env.SANDBOX_CLOSE_PAID,
    stateFile: env.SANDBOX_STATE_FILE,
    configFile: env.SANDBOX_CONFIG,
    logger,
  });
  installShutdown(logger, [{ name: 'wechatpay sandbox', run: () => sandbox.close() }]);
  // Dev secrets on purpose: these lines are what a developer pastes into the services' environment.
  const lines = Object.entries(sandbox.env()).map(([k, v]) => `${k}=${v}`);
  process.stdout.write(`${lines.join('\n')}\nSANDBOX READY ${sandbox.url}\n`);
} catch (err) {
  logger.fatal({ err }, 'wechatpay sandbox failed to start');
  process.exit(1);
}
