/**
 * `npm run smoke:compose`: brings up the stack of docker-compose.yml from the built images, waits until
 * it is healthy, walks the mini-program flow against it from the host (login, order, payment parameters,
 * wx.requestPayment, sync, PAID — the notification travels sandbox → notify-gateway inside the compose
 * network), checks the containers' own health checks, and tears it down with `down -v`, also on failure.
 * Prints the time to healthy.
 *
 *   COMPOSE          the compose command; default `podman-compose` when installed, else `docker compose`
 *   SMOKE_PROJECT    compose project name (default wxpay-saga-smoke)
 *   SMOKE_KEEP=1     leave the stack running
 * Host ports are free ones picked here (the *_HOST_PORT variables of docker-compose.yml), so the smoke
 * test runs next to anything else on the machine.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, isListening, redisPing, REPO_ROOT, waitFor } from '@wxpay-saga/infra';
import { paySignMessage, verifySha256Rsa } from '@wxpay-saga/wechatpay';
import { MiniProgram } from './mini-program.js';
import { sandboxClient } from './sandbox-client.js';

const say = (line: string) => process.stdout.write(`[smoke:compose] ${line}\n`);
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/**
 * The flow a mini program walks, against an order API and the sandbox (shared with smoke:start). Throws
 * with the step that failed; resolves once the order is PAID and WeChat's ledger agrees.
 */
export async function walkPaymentFlow(
  urls: { orderApi: string; sandbox: string },
  log: (line: string) => void,
): Promise<void> {
  const sandbox = sandboxClient(urls.sandbox);
  const mp = new MiniProgram(urls.orderApi, sandbox);
  await mp.login();
  log('login: wx.login() code → POST /v1/sessions → session token');
  const placed = await mp.placeOrder([{ sku: 'COFFEE-LATTE', quantity: 2 }], crypto.randomUUID());
  if (placed.status !== 201) {
    throw new Error(`POST /v1/orders → ${placed.status} ${JSON.stringify(placed.body)}`);
  }
  const order = placed.body.order;
  log(`order: ${order.id} ${order.status}, total ${order.total} fen`);
  let params = placed.body.payment;
  if (!params) {
    const r = await mp.paymentWhenReady(order.id, 60_000);
    if (r.status !== 200) throw new Error(`GET /payment → ${r.status} ${JSON.stringify(r.body)}`);
    params = r.body;
  }
  const merchant = await sandbox.merchant();
  const signed = verifySha256Rsa(
    paySignMessage(merchant.appid, params.timeStamp, params.nonceStr, params.package),
    params.paySign,
    crypto.createPublicKey(merchant.publicKey),
  );
  if (!signed) throw new Error('the payment parameters do not verify with the merchant public key');
  log(`parameters: ${params.package}, paySign verified`);
  const paid = await mp.pay(params);
  if (paid.errMsg !== 'requestPayment:ok') throw new Error(`wx.requestPayment → ${paid.errMsg}`);
  log(`requestPayment: ${paid.errMsg}`);
  const synced = await mp.sync(order.id);
  if (synced.status >= 400) throw new Error(`POST /sync → ${synced.status} ${JSON.stringify(synced.body)}`);
  log(`sync: ${synced.body.status}`);
  let status = synced.body.status;
  await waitFor(
    'order PAID',
    async () => {
      status = (await mp.order(order.id)).body.status;
      return status === 'PAID';
    },
    { timeoutMs: 30_000, intervalMs: 250, onFail: () => `last status ${status}` },
  );
  // The notification must reach notify-gateway too (in compose: over the network, by service name).
  let delivered = false;
  await waitFor(
    'a delivered payment notification',
    async () => {
      const tx = await sandbox.transaction(order.id);
      delivered = (tx?.notifications ?? []).some((n) => n.status !== null && n.status < 300);
      return tx?.trade_state === 'SUCCESS' && delivered;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  log('PAID: the order API, the ledger and the notification agree');
}

interface Compose {
  readonly command: readonly string[];
  /** The container CLI behind it, for health checks and logs. */
  readonly engine: 'podman' | 'docker';
}

function whichCompose(): Compose {
  const fromEnv = process.env.COMPOSE?.trim();
  if (fromEnv) {
    const command = fromEnv.split(/\s+/);
    return { command, engine: command[0]!.startsWith('podman') ? 'podman' : 'docker' };
  }
  const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  if (has('podman-compose')) return { command: ['podman-compose'], engine: 'podman' };
  return { command: ['docker', 'compose'], engine: 'docker' };
}

const INFRA = ['kafka', 'redis', 'wechatpay-sandbox'] as const;
const SERVICES = ['order-api', 'notify-gateway', 'payment-worker', 'reconciler'] as const;
type Name = (typeof INFRA)[number] | (typeof SERVICES)[number];
const PORT_ENV: Record<Name, string> = {
  kafka: 'KAFKA_HOST_PORT',
  redis: 'REDIS_HOST_PORT',
  'wechatpay-sandbox': 'SANDBOX_HOST_PORT',
  'order-api': 'ORDER_API_HOST_PORT',
  'notify-gateway': 'NOTIFY_GATEWAY_HOST_PORT',
  'payment-worker': 'PAYMENT_WORKER_HOST_PORT',
  reconciler: 'RECONCILER_HOST_PORT',
};

async function main(): Promise<number> {
  const compose = whichCompose();
  const project = process.env.SMOKE_PROJECT ?? 'wxpay-saga-smoke';
  const file = path.join(REPO_ROOT, 'docker-compose.yml');
  const ports = {} as Record<Name, number>;
  for (const name of [...INFRA, ...SERVICES]) ports[name] = await freePort();
  const env = { ...process.env };
  for (const name of [...INFRA, ...SERVICES]) env[PORT_ENV[name]] = String(ports[name]);
  const url = (name: Name) => `http://127.0.0.1:${ports[name]}`;

  const run = (args: string[], opts: { quiet?: boolean } = {}) => {
    const [cmd, ...pre] = compose.command;
    const r = spawnSync(cmd!, [...pre, '-p', project, '-f', file, ...args], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (r.status !== 0 && !opts.quiet) {
      throw new Error(`${compose.command.join(' ')} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
    }
    return r;
  };
  const containers = (): Map<Name, string> => {
    const out = execFileSync(
      compose.engine,
      ['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}'],
      { encoding: 'utf8' },
    );
    const byService = new Map<Name, string>();
    for (const container of out.split('\n').filter(Boolean)) {
      for (const name of [...INFRA, ...SERVICES]) {
        if (new RegExp(`[-_]${name}[-_]\\d+$`).test(container)) byService.set(name, container);
      }
    }
    return byService;
  };

  say(`${compose.command.join(' ')} -p ${project}; host ports ${JSON.stringify(ports)}`);
  run(['down', '-v'], { quiet: true }); // leftovers of an earlier, interrupted run
  const started = Date.now();
  let ok = false;
  try {
    // Infrastructure first, then the services: podman-compose 1.0 does not wait for
    // `condition: service_healthy`, so the smoke test waits itself (Docker Compose would too).
    run(['up', '-d', ...INFRA]);
    await Promise.all([
      waitFor('kafka', () => isListening(ports.kafka), { timeoutMs: 120_000, intervalMs: 250 }),
      waitFor('redis', () => redisPing(ports.redis), { timeoutMs: 60_000, intervalMs: 250 }),
      waitFor('wechatpay-sandbox', () => httpOk(`${url('wechatpay-sandbox')}/__sandbox/health`), {
        timeoutMs: 60_000,
        intervalMs: 250,
      }),
    ]);
    say(`kafka, redis, wechatpay-sandbox healthy after ${seconds(started)} s`);
    // podman-compose re-runs `podman run` for the running dependencies and then starts them: the
    // "name is already in use" errors it prints are expected.
    run(['up', '-d'], { quiet: true });
    await Promise.all(
      SERVICES.map((name) =>
        waitFor(name, () => httpOk(`${url(name)}/readyz`), { timeoutMs: 180_000, intervalMs: 250 }),
      ),
    );
    say(`stack healthy (all /readyz 200) in ${seconds(started)} s from the first \`up\``);

    await checkHealthChecks(compose.engine, containers());

    await walkPaymentFlow({ orderApi: url('order-api'), sandbox: url('wechatpay-sandbox') }, say);
    ok = true;
  } catch (err) {
    say(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
    for (const [name, container] of containers()) {
      const logs = spawnSync(compose.engine, ['logs', '--tail', '40', container], { encoding: 'utf8' });
      process.stdout.write(`\n--- ${name} (${container}) ---\n${logs.stdout}${logs.stderr}`);
    }
  } finally {
    if (process.env.SMOKE_KEEP === '1') {
      say(`left running (SMOKE_KEEP=1): order-api ${url('order-api')}, sandbox ${url('wechatpay-sandbox')}`);
    } else {
      const down = Date.now();
      run(['down', '-v'], { quiet: true });
      // podman-compose 1.0 leaves the project's network behind (Docker Compose removes it).
      if (compose.engine === 'podman') spawnSync('podman', ['network', 'rm', '-f', `${project}_default`]);
      const left = [...containers().values()];
      if (left.length > 0) {
        say(`containers left after down: ${left.join(', ')}`);
        ok = false;
      }
      say(`down -v in ${seconds(down)} s`);
    }
  }
  say(ok ? `OK in ${seconds(started)} s` : 'FAILED');
  return ok ? 0 : 1;
}

/**
 * The images' and compose file's own health checks must pass too. Podman runs them from systemd timers,
 * which these machines lack, so run each once by hand; Docker reports the status it keeps.
 */
async function checkHealthChecks(engine: Compose['engine'], byService: Map<Name, string>): Promise<void> {
  const missing = [...INFRA, ...SERVICES].filter((n) => !byService.has(n));
  if (missing.length > 0) throw new Error(`no container for ${missing.join(', ')}`);
  for (const [name, container] of byService) {
    await waitFor(
      `${name}'s health check`,
      async () => {
        if (engine === 'podman') {
          return spawnSync('podman', ['healthcheck', 'run', container]).status === 0;
        }
        const r = spawnSync('docker', ['inspect', '--format', '{{.State.Health.Status}}', container], {
          encoding: 'utf8',
        });
        return r.stdout.trim() === 'healthy';
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
  }
  say(`health checks pass: ${[...byService.keys()].join(', ')}`);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  process.exit(await main());
}
