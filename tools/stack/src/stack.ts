import { freePort, spawnTs, waitFor, type SpawnedTs } from '@wxpay-saga/infra';
import { DEFAULT_PORTS, PORT_VARIABLE, SERVICES, entryOf, type ServiceName } from './services.js';

export interface StackOptions {
  readonly kafkaBrokers: string;
  readonly redisUrl: string;
  readonly topicPrefix?: string;
  readonly groupPrefix?: string;
  readonly keyPrefix?: string;
  readonly orderIdSecret: string;
  /** Fixed ports (npm start) or free ports (tests, the default). */
  readonly ports?: 'default' | 'free' | Partial<Record<ServiceName | 'sandbox', number>>;
  /** Environment for the sandbox process (SANDBOX_*). */
  readonly sandboxEnv?: Record<string, string>;
  /** Environment for every service (after the computed one). */
  readonly env?: Record<string, string>;
  readonly serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  readonly services?: readonly ServiceName[];
  readonly echo?: boolean;
  readonly onProgress?: (line: string) => void;
}

export interface StackUrls {
  readonly orderApi: string;
  readonly notifyGateway: string;
  readonly paymentWorker: string;
  readonly reconciler: string;
  readonly sandbox: string;
}

export interface RunningStack {
  readonly urls: StackUrls;
  readonly ports: Record<ServiceName | 'sandbox', number>;
  /** WECHATPAY_* and the rest: what every service was started with. */
  readonly env: Record<string, string>;
  readonly options: StackOptions;
  process(name: string): SpawnedTs | undefined;
  /** (Re)starts a service; resolves when its /readyz answers 200. */
  start(name: ServiceName, extraEnv?: Record<string, string>): Promise<SpawnedTs>;
  /** Starts one more instance of a service (scale-out), named `<name>#<instance>`, on a free port. */
  startInstance(name: ServiceName, instance: string, extraEnv?: Record<string, string>): Promise<SpawnedTs>;
  /** Sends a signal and waits for the process to exit. */
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

const READY_PATH = '/readyz';

async function resolvePorts(opt: StackOptions['ports']): Promise<Record<ServiceName | 'sandbox', number>> {
  const names = [...SERVICES, 'sandbox'] as const;
  const out = { ...DEFAULT_PORTS };
  for (const n of names) {
    if (opt === 'default') continue;
    const fixed = typeof opt === 'object' ? opt[n] : undefined;
    out[n] = fixed ?? (await freePort());
  }
  return out;
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Parses the sandbox's `KEY=value` merchant settings from its start-up output. */
function merchantSettings(output: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const m = /^(WECHATPAY_[A-Z0-9_]+|WECHAT_LOGIN_BASE_URL)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

/**
 * Starts the WeChat Pay sandbox and the four services as separate processes against the given Kafka and
 * Redis, exactly as `npm start` does, and waits for every health check.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const ports = await resolvePorts(options.ports ?? 'free');
  const url = (n: ServiceName | 'sandbox') => `http://127.0.0.1:${ports[n]}`;
  const urls: StackUrls = {
    orderApi: url('order-api'),
    notifyGateway: url('notify-gateway'),
    paymentWorker: url('payment-worker'),
    reconciler: url('reconciler'),
    sandbox: url('sandbox'),
  };
  const progress = options.onProgress ?? (() => {});
  const procs = new Map<string, SpawnedTs>();

  progress(`starting the WeChat Pay sandbox on ${urls.sandbox}`);
  const sandbox = spawnTs(
    entryOf('sandbox'),
    {
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_PORT: String(ports.sandbox),
      SANDBOX_ALLOW_LOOPBACK_NOTIFY: 'true',
      LOG_LEVEL: 'warn',
      ...options.sandboxEnv,
    },
    { echo: options.echo },
  );
  procs.set('sandbox', sandbox);
  await sandbox.waitForLine(/SANDBOX READY/, 60_000);

  const env: Record<string, string> = {
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: options.kafkaBrokers,
    REDIS_URL: options.redisUrl,
    KAFKA_TOPIC_PREFIX: options.topicPrefix ?? '',
    KAFKA_GROUP_PREFIX: options.groupPrefix ?? 'wxpay-saga',
    REDIS_KEY_PREFIX: options.keyPrefix ?? 'wxpay:',
    ORDER_ID_SECRET: options.orderIdSecret,
    HOST: '127.0.0.1',
    WECHATPAY_NOTIFY_URL: `${urls.notifyGateway}/wechatpay/notify/transaction`,
    ...merchantSettings(sandbox.output()),
    ...Object.fromEntries(SERVICES.map((n) => [PORT_VARIABLE[n], String(ports[n])])),
    ...options.env,
  };

  const launch = async (
    name: ServiceName,
    key: string,
    port: number,
    extraEnv: Record<string, string>,
  ): Promise<SpawnedTs> => {
    const proc = spawnTs(
      entryOf(name),
      { ...env, ...options.serviceEnv?.[name], [PORT_VARIABLE[name]]: String(port), ...extraEnv },
      { echo: options.echo },
    );
    procs.set(key, proc);
    const readyUrl = `http://127.0.0.1:${port}${READY_PATH}`;
    await waitFor(key, () => isReady(readyUrl), {
      timeoutMs: 90_000,
      intervalMs: 150,
      alive: () => proc.child.exitCode === null && proc.child.signalCode === null,
      onFail: () => proc.output().slice(-3000),
    });
    progress(`${key} ready on http://127.0.0.1:${port}`);
    return proc;
  };
  const start = (name: ServiceName, extraEnv: Record<string, string> = {}) =>
    launch(name, name, ports[name], extraEnv);
  const startInstance = async (name: ServiceName, instance: string, extraEnv: Record<string, string> = {}) =>
    launch(name, `${name}#${instance}`, await freePort(), extraEnv);

  const kill = async (name: string, signal: NodeJS.Signals = 'SIGTERM') => {
    const p = procs.get(name);
    if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
    p.kill(signal);
    await p.exited();
  };

  const stop = async () => {
    await Promise.all([...procs.keys()].filter((k) => k !== 'sandbox').map((k) => kill(k)));
    await kill('sandbox');
  };

  try {
    // order-api first: it creates the topics; then the others in parallel (each also ensures them).
    const wanted = options.services ?? SERVICES;
    const [first, ...rest] = wanted;
    if (first) {
      progress(`starting ${first}…`);
      await start(first);
    }
    progress(`starting ${rest.join(', ')}…`);
    await Promise.all(rest.map((name) => start(name)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { urls, ports, env, options, process: (n) => procs.get(n), start, startInstance, kill, stop };
}
