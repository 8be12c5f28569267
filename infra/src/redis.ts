import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from './net.js';
import { startProcess, tailFile, type ManagedProcess } from './process.js';

export interface RedisHandle {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

export function findRedisServer(): string {
  for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'redis-server not found: install it (Debian: apt-get install -y redis-server) or set REDIS_URL',
    );
  }
}

/** Answers true once the server replies +PONG to an inline PING. */
export function redisPing(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    let buf = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
  });
}

/** Starts redis-server on a free loopback port, append-only persistence in a temporary directory. */
export async function startRedis(opts: { port?: number; detached?: boolean } = {}): Promise<RedisHandle> {
  const bin = findRedisServer();
  const port = opts.port ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-redis-'));
  const logFile = path.join(dir, 'redis.log');
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--save',
    '',
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
  ];
  const proc = startProcess(bin, args, { logFile, detached: opts.detached ?? false });
  await waitFor('Redis', () => redisPing(port), {
    timeoutMs: 20_000,
    alive: proc.alive,
    onFail: () => tailFile(logFile),
  });
  const stop = async () => {
    await proc.stop(10_000);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { url: `redis://127.0.0.1:${port}`, port, dir, process: proc, stop };
}
