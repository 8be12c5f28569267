/** Secrets never reach the log: private keys, the APIv3 key, app secret, js_code, session_key, paySign. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@wxpay-saga/observability';
import {
  control,
  httpCall,
  merchantOf,
  newUser,
  payParams,
  prepay,
  requestPayment,
  start,
} from './helpers.js';

describe('logging', () => {
  it('a full flow at trace level logs none of the secrets', async () => {
    let out = '';
    const logger = createLogger({
      service: 'sandbox-log-test',
      level: 'trace',
      destination: { write: (s: string) => void (out += s) },
    });
    const sb = await start({ logger });
    const secrets: string[] = [];
    try {
      const m = merchantOf(sb);
      const env = sb.env();
      secrets.push(
        env.WECHATPAY_APIV3_KEY!,
        env.WECHATPAY_APP_SECRET!,
        fs.readFileSync(env.WECHATPAY_PRIVATE_KEY_PATH!, 'utf8').split('\n')[1]!,
      );
      const { code, openid } = await newUser(sb);
      const session = await httpCall(
        `${sb.url}/sns/jscode2session?appid=${m.appid}&secret=${m.appSecret}&js_code=${code}&grant_type=authorization_code`,
        'GET',
        {},
      );
      secrets.push(code, session.json<{ session_key: string }>().session_key);
      await control(sb, 'POST', '/__sandbox/faults', { endpoint: 'query', kind: 'error', count: 1 });
      const order = await prepay(sb, m, openid);
      const params = payParams(m, order.prepayId);
      secrets.push(params.paySign as string);
      expect(await requestPayment(sb, openid, params)).toBe('requestPayment:ok');
    } finally {
      await sb.close();
    }
    expect(out).toContain('"route":"/sns/jscode2session"');
    expect(out).toContain('fault rule added');
    for (const s of secrets) expect(out).not.toContain(s);
  });
});
