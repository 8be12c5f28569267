/**
 * `npm run smoke:start`: the local-process path end to end, as a developer lives it. Spawns `npm start`
 * (its own Kafka and Redis processes: KAFKA_BROKERS / REDIS_URL are removed from its environment), waits
 * for the `READY` line, walks the mini-program flow against it (login, order, payment parameters,
 * wx.requestPayment, sync, PAID), then presses Ctrl-C (SIGINT to the process group) and checks that
 * everything exited cleanly: exit code 0, `[start] stopped`, and no port of the stack still listening.
 * Free ports are passed through the *_PORT variables so it runs next to anything else on the machine.
 */
import { spawn } from 'node:child_process';
import { freePort, isListening, REPO_ROOT, sleep } from '@wxpay-saga/infra';
import { walkPaymentFlow } from './compose-smoke.js';
import { PORT_VARIABLE, SERVICES } from './services.js';

const say = (line: string) => process.stdout.write(`[smoke:start] ${line}\n`);
const READY_TIMEOUT_MS = 240_000;
const EXIT_TIMEOUT_MS = 60_000;

const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
delete env.KAFKA_BROKERS;
delete env.REDIS_URL;
for (const name of [...SERVICES, 'sandbox'] as const) env[PORT_VARIABLE[name]] = String(await freePort());

const started = Date.now();
// Its own process group, like a terminal's foreground job, so SIGINT reaches npm and the stack alike.
const child = spawn('npm', ['start'], {
  cwd: REPO_ROOT,
  env,
  detached: true,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
child.stdout.on('data', (d: Buffer) => (output += d.toString()));
child.stderr.on('data', (d: Buffer) => (output += d.toString()));
const exited = new Promise<string>((resolve) =>
  child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)),
);
/** Every process of the group (npm, the stack, Kafka, Redis, the services) gone? */
function groupGone(): boolean {
  try {
    process.kill(-child.pid!, 0);
    return false;
  } catch {
    return true;
  }
}

async function readyLine(): Promise<string> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const line = output.split('\n').find((l) => l.startsWith('READY '));
    if (line) return line;
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}) before READY`);
    if (Date.now() > deadline) throw new Error(`no READY line within ${READY_TIMEOUT_MS} ms`);
    await sleep(200);
  }
}

/** The `key=value` pairs of the READY line (order-api=http://…, kafka=127.0.0.1:…, redis=redis://…). */
function fields(line: string): Record<string, string> {
  return Object.fromEntries(
    line
      .split(' ')
      .map((part) => part.split('='))
      .filter((kv): kv is [string, string] => kv.length === 2),
  );
}

function portOf(address: string): number {
  return Number(/:(\d+)\/?$/.exec(address)?.[1] ?? NaN);
}

let ok = false;
try {
  const line = await readyLine();
  say(`READY after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const ready = fields(line);
  const [orderApi, sandbox] = [ready['order-api'], ready.sandbox];
  if (!orderApi || !sandbox) throw new Error(`READY line without order-api= or sandbox=: ${line}`);
  await walkPaymentFlow({ orderApi, sandbox }, say);

  say('Ctrl-C (SIGINT to the process group)');
  process.kill(-child.pid!, 'SIGINT');
  const how = await Promise.race([exited, sleep(EXIT_TIMEOUT_MS).then(() => 'timeout')]);
  if (how === 'timeout') throw new Error(`npm start did not exit within ${EXIT_TIMEOUT_MS} ms of SIGINT`);
  // After Ctrl-C npm ends by the same signal (so a shell sees 130) once its child has exited, or with 0.
  if (how !== 'SIGINT' && how !== 'code 0') throw new Error(`npm start ended with ${how} after SIGINT`);
  const deadline = Date.now() + EXIT_TIMEOUT_MS;
  while (!groupGone()) {
    if (Date.now() > deadline) throw new Error('processes of npm start still running after it exited');
    await sleep(200);
  }
  // start.ts prints "stopped" only when its shutdown ran to the end (and "failed" on any error).
  if (!output.includes('[start] stopped') || output.includes('[start] failed')) {
    throw new Error('npm start did not stop cleanly (no "[start] stopped" line)');
  }
  const addresses = [
    'order-api',
    'notify-gateway',
    'payment-worker',
    'reconciler',
    'sandbox',
    'kafka',
    'redis',
  ]
    .map((k) => ready[k])
    .filter((a): a is string => a !== undefined);
  const stillOpen: string[] = [];
  for (const address of addresses) if (await isListening(portOf(address))) stillOpen.push(address);
  if (stillOpen.length > 0) throw new Error(`still listening after exit: ${stillOpen.join(', ')}`);
  say(`stopped cleanly (npm: ${how}; every process gone; ${addresses.length} ports closed)`);
  ok = true;
} catch (err) {
  say(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.stdout.write(`--- npm start output (last 4000 characters) ---\n${output.slice(-4000)}\n`);
} finally {
  if (!groupGone()) {
    // Whatever went wrong, leave nothing running: SIGINT first (a clean stop), then SIGKILL.
    try {
      process.kill(-child.pid!, 'SIGINT');
      const deadline = Date.now() + 30_000;
      while (!groupGone() && Date.now() < deadline) await sleep(200);
      if (!groupGone()) process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
say(ok ? `OK in ${((Date.now() - started) / 1000).toFixed(1)} s` : 'FAILED');
process.exit(ok ? 0 : 1);
