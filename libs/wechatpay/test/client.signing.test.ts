/**
 * Requests signed through wechatpay-node-v3 (our SigningPay subclass + FetchPayRequest transport) reproduce the
 * §10.1 official signatures when the clock and nonce are fixed, and the bytes on the wire are the bytes signed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { paySignMessage, requestSignMessage, verifySha256Rsa } from '@wxpay-saga/wechatpay';
import { createClientInternal } from '../src/client.js';
import { SigningPay } from '../src/signer.js';
import {
  APPID,
  MCHID,
  MERCHANT_SERIAL,
  merchantPublicKey,
  NOTPAY,
  OPENID,
  testConfig,
} from './client-fixtures.js';
import { captureLogger, startFakeServer, type FakeServer } from './helpers.js';
import { officialMerchantKey } from './vectors-keys.js';

const TS = 1554208460;
const NONCE = '593BEC0C930BF1AFEB40B4A08C8FB242';
const SIG_A =
  'Lc9VXxmeonkdV8Xk9tmigQFLhl0vRWTerdmoRu01aAnYwIrD/5nsSwE1WlmZGLRlAFTNQ3QsMa0+VRDlJp1Wp5p0nO8EK68b5sJBbjouxaFciIfq1zfDWWz+jqhcMoKXI1A6dPm1AW7D4d30WsMTNzp6g23OXakIsh9LO3lUmwvTuE0BY8ncf6tNGk4wKmvXwERd/ZpoQY3MAVKz+Nakwc+2XBmzT66KcUehU5kr4IvGa/lEU5RZb/q00zP9VLdBhC/jQSX3X1UcJLCtEc4gTmib4tnmAT+bHF/e17ZAuxDNcx6rqT8gNEXqaJGG+1OflMSTU2tpyG65G4dMKdFcoA==';
const SIG_B =
  'jnks4dlrPw3ZX+ozVvSK39oa0t7OMBsg83BHAwd8BRdUFiVaQNTLTvci+wURgP1OQBbKYhFGvt7iqYpDSTQkp7Uq1sltaQKyncCyrA1g88m5bsKERQfPyT0ahSwKTYJ1CAn9QiJuSJRq1QsQs07eehbU/k9BCS51jTyc1Jpsi2H77HF9f/BnjXAOP3/sPObg6V5Ee4EzwLox684hhuMuIwHo7D8KFk3LIHOKDcNI4It1aCXydFWNpNK+SG86VUDe5kwoDpw4Ulqfu9z8OFDGbDs9TCxEv8iqQzbpxOlEVoOe2kalSYM5kApQb3nZcxdUtoE0liJGW3RGUNE0t4v01A==';
const SIG_E =
  'cVvdVujlEmASmAYpcmKXmIrlQualKxd87f8XZtnTeLCw3V7kZ1ST6YwX0kSLsqJeecZqmKJfd6ieRl/hRLZUodxXU1NzoTz1OXNh6TzBfcxU8xRNFbmPiEHwMJM7Jo52TYGk71MaCbvkPlUpUL6WhpmAgfC7jg/3IcA/UILbby4Nro0Nbq0An/DYEEp8vZMaags/5ed52JpGqxEOcTLIuqihy+Amy5z+t8m3a93YTRNDRi0W5b332UQBtrWRSwJOMU96Nof7hJC2MM71Y1bHB8YP8kBKaoDW7vEoNsEMVzkyp0pyjUHFWc6yaRVHE054z79S2koj3jSRbCiY+CaJzg==';
const BODY_B =
  '{"appid":"wxd678efh567hg6787","mchid":"1900007291","description":"Image形象店-深圳腾大-QQ公仔","out_trade_no":"1217752501201407033233368018","notify_url":"https://www.weixin.qq.com/wxpay/pay.php","amount":{"total":100,"currency":"CNY"},"payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}}';

const authorization = (signature: string) =>
  `WECHATPAY2-SHA256-RSA2048 mchid="${MCHID}",nonce_str="${NONCE}",timestamp="${TS}",serial_no="${MERCHANT_SERIAL}",signature="${signature}"`;

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.seen.length = 0;
});

// The clock is frozen at the vector's timestamp, so the fake server signs its answers with it too.
const frozen = () =>
  createClientInternal(testConfig(server.url), {
    logger: captureLogger().logger,
    now: () => TS * 1000,
    nonce: () => NONCE,
  });

describe('§10.1 vectors through the wechatpay-node-v3 signing path', () => {
  it('the library getSignature gives (a) for a GET', () => {
    const pay = new SigningPay({
      appid: APPID,
      mchid: MCHID,
      serialNo: MERCHANT_SERIAL,
      privateKey: officialMerchantKey,
      publicKey: merchantPublicKey,
      userAgent: 'x',
      now: Date.now,
    });
    expect(pay.getSignature('GET', NONCE, String(TS), '/v3/refund/domestic/refunds/123123123123')).toBe(
      SIG_A,
    );
  });

  it('(a) queryRefund sends the official Authorization header', async () => {
    server.reply(() => ({
      status: 404,
      body: '{"code":"RESOURCE_NOT_EXISTS","message":"退款单不存在"}',
      sign: { timestamp: String(TS) },
    }));
    await expect(frozen().queryRefund('123123123123')).rejects.toMatchObject({
      code: 'RESOURCE_NOT_EXISTS',
      httpStatus: 404,
    });
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]).toMatchObject({
      method: 'GET',
      url: '/v3/refund/domestic/refunds/123123123123',
      body: '',
    });
    expect(server.seen[0]?.headers.authorization).toBe(authorization(SIG_A));
  });

  it('(b) prepayJsapi sends the official body byte for byte with the official signature', async () => {
    server.reply(() => ({
      status: 200,
      body: '{"prepay_id":"wx201410272009395522657a690389285100"}',
      sign: { timestamp: String(TS) },
    }));
    const result = await frozen().prepayJsapi({
      outTradeNo: '1217752501201407033233368018',
      description: 'Image形象店-深圳腾大-QQ公仔',
      amountTotal: 100,
      payerOpenid: OPENID,
      notifyUrl: 'https://www.weixin.qq.com/wxpay/pay.php',
    });
    expect(server.seen[0]).toMatchObject({ method: 'POST', url: '/v3/pay/transactions/jsapi', body: BODY_B });
    expect(server.seen[0]?.headers.authorization).toBe(authorization(SIG_B));
    expect(server.seen[0]?.headers['content-type']).toBe('application/json');
    // §7: the library turned the prepay_id into wx.requestPayment parameters signed with the merchant key.
    expect(result.prepayId).toBe('wx201410272009395522657a690389285100');
    const rp = result.requestPayment;
    expect(rp).toMatchObject({
      appId: APPID,
      package: 'prepay_id=wx201410272009395522657a690389285100',
      signType: 'RSA',
    });
    expect(rp.timeStamp).toMatch(/^\d{10}$/);
    expect(
      verifySha256Rsa(
        paySignMessage(rp.appId, rp.timeStamp, rp.nonceStr, rp.package),
        rp.paySign,
        merchantPublicKey,
      ),
    ).toBe(true);
  });

  it('(e) queryByOutTradeNo signs /v3/pay/transactions/out-trade-no/{no}?mchid={mchid} (§2.2)', async () => {
    server.reply(() => ({ status: 200, body: JSON.stringify(NOTPAY), sign: { timestamp: String(TS) } }));
    const tx = await frozen().queryByOutTradeNo('1217752501201407033233368018');
    expect(tx.trade_state).toBe('NOTPAY');
    expect(server.seen[0]?.url).toBe(
      '/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1900007291',
    );
    expect(server.seen[0]?.headers.authorization).toBe(authorization(SIG_E));
  });
});

describe('the bytes on the wire are the bytes signed (§4)', () => {
  const live = () => createClientInternal(testConfig(server.url), { logger: captureLogger().logger });

  it('POST bodies with UTF-8, slashes and optional fields verify against the received bytes', async () => {
    server.reply(() => ({ status: 200, body: '{"prepay_id":"wx2024"}' }));
    await live().prepayJsapi({
      outTradeNo: 'order_a|b*c-1',
      description: '测试/商品 "quoted" \\ tab\t',
      amountTotal: 1,
      payerOpenid: OPENID,
      notifyUrl: 'https://example.com/notify',
      timeExpire: '2030-01-01T00:00:00+08:00',
      attach: 'a=1&b=2',
    });
    const req = server.seen[0]!;
    const auth = /nonce_str="([^"]+)",timestamp="(\d+)",serial_no="([^"]+)",signature="([^"]+)"/.exec(
      req.headers.authorization ?? '',
    );
    expect(auth).not.toBeNull();
    const [, nonceStr, ts, serial, signature] = auth!;
    expect(serial).toBe(MERCHANT_SERIAL);
    expect(nonceStr).toMatch(/^[0-9A-Za-z]{32}$/); // §4: 32 alphanumerics from a CSPRNG, not the library's Math.random
    expect(
      verifySha256Rsa(
        requestSignMessage('POST', req.url, ts!, nonceStr!, req.body),
        signature!,
        merchantPublicKey,
      ),
    ).toBe(true);
    expect(JSON.parse(req.body)).toMatchObject({
      time_expire: '2030-01-01T00:00:00+08:00',
      attach: 'a=1&b=2',
      amount: { total: 1, currency: 'CNY' },
    });
  });

  it('headers: Accept, a real User-Agent, Wechatpay-Serial of a verifier key, no library gzip request', async () => {
    server.reply(() => ({ status: 200, body: JSON.stringify(NOTPAY) }));
    const both = testConfig(server.url);
    both.verifierKeys = {
      ...both.verifierKeys,
      PUB_KEY_ID_0000000000000024101100397200000006: merchantPublicKey,
    };
    await createClientInternal(both, { logger: captureLogger().logger })
      .queryByOutTradeNo(NOTPAY.out_trade_no)
      .catch(() => undefined);
    const h = server.seen[0]!.headers;
    expect(h.accept).toBe('application/json');
    expect(h['user-agent']).toBe('wxpay-saga-test/1.0');
    // Public-key mode preferred when both are configured (§2.8: the response key follows this header).
    expect(h['wechatpay-serial']).toBe('PUB_KEY_ID_0000000000000024101100397200000006');
    expect(h['accept-encoding']).not.toBe('gzip');
  });

  it('ids that go into a URL path are checked before anything is sent', async () => {
    const client = live();
    for (const call of [
      () => client.queryByOutTradeNo('../../v3/certificates'),
      () => client.queryByOutTradeNo('short'),
      () => client.queryByTransactionId('42/../1'),
      () => client.closeOrder('a?b=c#d'),
      () => client.queryRefund('x/y'),
      () => client.createRefund({ outRefundNo: 'r_1', amount: { refund: 1, total: 1, currency: 'CNY' } }),
      () =>
        client.createRefund({
          outTradeNo: 'order_0001',
          outRefundNo: 'r_1',
          amount: { refund: 2, total: 1, currency: 'CNY' },
        }),
      () =>
        client.prepayJsapi({
          outTradeNo: 'order_0001',
          description: 'x',
          amountTotal: 1.5,
          payerOpenid: OPENID,
          notifyUrl: 'https://e.com/n',
        }),
      () =>
        client.prepayJsapi({
          outTradeNo: 'order_0001',
          description: 'emoji 😀',
          amountTotal: 1,
          payerOpenid: OPENID,
          notifyUrl: 'https://e.com/n',
        }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'PARAM_ERROR', httpStatus: null, retriable: false });
    }
    expect(server.seen).toHaveLength(0);
  });
});
