import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from '@wxpay-saga/observability';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream, lines };
}

// A real key, generated for this run: nothing key-like is stored in the repository.
const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const KEY_BODY = PRIVATE_KEY.split('\n')[1]!;
const TOKEN = 'tok_9f8e7d6c5b4a3f2e1d0c';
const AUTH = 'WECHATPAY2-SHA256-RSA2048 mchid="1900007291",signature="c2lnbmF0dXJl"';

describe('the central redaction list', () => {
  it('removes an authorization header, a private key and a session token wherever our code logs them', () => {
    const { stream, lines } = capture();
    const log = createLogger({ service: 'redaction-test', destination: stream });
    log.info(
      {
        req: {
          method: 'POST',
          url: '/v1/orders',
          headers: { authorization: `Bearer ${TOKEN}`, 'user-agent': 'mp' },
        },
      },
      'request',
    );
    log.info({ headers: { authorization: AUTH } }, 'outbound');
    log.info(
      {
        config: {
          privateKey: PRIVATE_KEY,
          apiV3Key: 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb',
          mchid: '1900007291',
        },
      },
      'config',
    );
    log.info(
      { session: { token: TOKEN, sessionKey: 'c2Vzc2lvbmtleQ==', openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } },
      'session',
    );
    log.info({ payment: { paySign: 'cGF5c2lnbg==', package: 'prepay_id=wx1' }, token: TOKEN }, 'params');
    const out = lines.join('\n');
    for (const secret of [
      TOKEN,
      KEY_BODY,
      'c2lnbmF0dXJl',
      'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb',
      'c2Vzc2lvbmtleQ==',
      'cGF5c2lnbg==',
      'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    ]) {
      expect(out).not.toContain(secret);
    }
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(parsed[0]!.req.headers.authorization).toBe(REDACTED);
    expect(parsed[0]!.req.headers['user-agent']).toBe('mp');
    expect(parsed[1]!.headers.authorization).toBe(REDACTED);
    expect(parsed[2]!.config.privateKey).toBe(REDACTED);
    expect(parsed[2]!.config.mchid).toBe('1900007291');
    expect(parsed[3]!.session.token).toBe(REDACTED);
    expect(parsed[4]!.payment.package).toBe('prepay_id=wx1');
    expect(parsed[4]!.service).toBe('redaction-test');
  });
});
