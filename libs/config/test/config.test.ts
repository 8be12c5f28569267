import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, fields, parseConfig } from '@wxpay-saga/config';
import { REPO_ROOT } from '@wxpay-saga/testing';

const FIXTURE = 'libs/config/test/fixtures/load-config.ts';
const VALID = { SESSION_SECRET: 'a-secret-of-enough-length', LOG_LEVEL: 'warn' };

function run(env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(KAFKA|REDIS|ORDER|PAYMENT|STRICT|UPSTREAM|SESSION|LOG_LEVEL|NODE_ENV)/.test(k),
    ),
  );
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', FIXTURE], {
    cwd: REPO_ROOT,
    env: { ...clean, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderrLines: r.stderr.split('\n').filter(Boolean) };
}

describe('config from the environment (a process, as services load it)', () => {
  it('starts with valid values and defaults', () => {
    const r = run({ ...VALID, KAFKA_BROKERS: '127.0.0.1:9092,127.0.0.1:9093', STRICT: 'true' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('OK 8080 127.0.0.1:9092,127.0.0.1:9093 true\n');
  });

  const cases: [string, string, RegExp][] = [
    ['ORDER_API_PORT', '70000', /must be between 0 and 65535/],
    ['ORDER_API_PORT', 'http', /must be a port number/],
    ['ORDER_TTL_SECONDS', '-5', /must be > 0/],
    ['PAYMENT_WAIT_MS', '1.5', /must be an integer/],
    ['STRICT', 'maybe', /must be true or false/],
    ['KAFKA_BROKERS', 'localhost', /host:port/],
    ['REDIS_URL', 'http://127.0.0.1:6379', /redis:\/\//],
    ['LOG_LEVEL', 'loud', /must be one of/],
    ['UPSTREAM_URL', 'not a url', /URL/],
    ['KAFKA_TOPIC_PREFIX', 'has space', /may contain only/],
    ['SESSION_SECRET', 'short', /at least 16 characters/],
  ];
  it.each(cases)('%s=%s → exit 1 with one message naming the variable', (name, value, message) => {
    const r = run({ ...VALID, [name]: value });
    expect(r.code).toBe(1);
    expect(r.stderrLines).toHaveLength(1);
    expect(r.stderrLines[0]).toMatch(new RegExp(`^config error: ${name} `));
    expect(r.stderrLines[0]).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a missing secret is named, and a secret value is never echoed', () => {
    const missing = run({ LOG_LEVEL: 'warn' });
    expect(missing.code).toBe(1);
    expect(missing.stderrLines).toEqual(['config error: SESSION_SECRET is required but not set']);
    const short = run({ SESSION_SECRET: 'tiny-secret' });
    expect(short.stderrLines.join('\n')).not.toContain('tiny-secret');
  });

  it('reports every invalid variable, one line each', () => {
    const r = run({ ...VALID, ORDER_API_PORT: 'x', STRICT: 'y' });
    expect(r.code).toBe(1);
    expect(r.stderrLines.map((l) => l.split(' ')[2])).toEqual(['ORDER_API_PORT', 'STRICT']);
  });
});

describe('parseConfig', () => {
  it('treats empty strings as unset so defaults apply', () => {
    const schema = z.object({ A: fields.positiveInt(3) });
    expect(parseConfig(schema, { A: '' })).toEqual({ A: 3 });
    expect(() => parseConfig(schema, { A: 'zero' })).toThrow(ConfigError);
  });
});
