/**
 * Every service parses its environment before touching anything: a bad value exits 1 with one line
 * naming the variable, and a secret's value never appears in the message.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@wxpay-saga/testing';

let wechat: Record<string, string>;
beforeAll(() => {
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-cfg-'));
  const r = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'tools/wechatpay-sandbox/src/print-env.ts'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, SANDBOX_KEY_DIR: keyDir },
      encoding: 'utf8',
    },
  );
  wechat = Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
});

function run(service: string, env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(KAFKA|REDIS|WECHAT|ORDER|RECONCILE|NOTIFY|PAYMENT)/.test(k),
    ),
  );
  const r = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', `services/${service}/src/main.ts`],
    {
      cwd: REPO_ROOT,
      env: {
        ...clean,
        LOG_LEVEL: 'warn',
        KAFKA_BROKERS: '127.0.0.1:1',
        REDIS_URL: 'redis://127.0.0.1:1',
        ...wechat,
        ...env,
      },
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return { code: r.status, lines: r.stderr.split('\n').filter((l) => l.startsWith('config error:')) };
}

describe('service configuration', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['order-api', { ORDER_ID_SECRET: 'x'.repeat(32), ORDER_API_PORT: 'eighty' }, 'ORDER_API_PORT'],
    ['order-api', { ORDER_TTL_SECONDS: '900' }, 'ORDER_ID_SECRET'],
    ['payment-worker', { WECHATPAY_NOTIFY_URL: 'not-a-url' }, 'WECHATPAY_NOTIFY_URL'],
    [
      'payment-worker',
      { WECHATPAY_NOTIFY_URL: 'http://127.0.0.1:8081/n', WECHATPAY_PRIVATE_KEY_PATH: '/nonexistent/key.pem' },
      'WECHATPAY_PRIVATE_KEY_PATH',
    ],
    ['notify-gateway', { NOTIFY_PUBLISH_TIMEOUT_MS: '9000' }, 'NOTIFY_PUBLISH_TIMEOUT_MS'],
    ['notify-gateway', { WECHATPAY_APIV3_KEY: 'too-short-secret' }, 'WECHATPAY_APIV3_KEY'],
    ['reconciler', { RECONCILE_QUERY_LADDER_SECONDS: '15,soon' }, 'RECONCILE_QUERY_LADDER_SECONDS'],
    ['reconciler', { KAFKA_BROKERS: 'kafka' }, 'KAFKA_BROKERS'],
  ];
  it.each(cases)('%s with a bad %j exits 1 naming the variable', (service, env, variable) => {
    const r = run(service, env);
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(new RegExp(`^config error: ${variable} `));
    expect(r.lines[0]).not.toContain('too-short-secret');
  });
});
