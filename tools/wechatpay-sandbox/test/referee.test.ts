/**
 * Referee: wechatpay-axios-plugin 0.9.6 (TheNorthMemory), an implementation written without this project
 * in mind. Its request signatures must pass the sandbox (§4), its automatic response verification must
 * accept the sandbox's answers (§5), and its own paySign (§7) and AES-GCM (§6.2) must interoperate.
 * If the sandbox drifted from the protocol in a way our own primitives share, this is where it shows.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aes, Formatter, Rsa, Wechatpay } from 'wechatpay-axios-plugin';
import type { RunningSandbox } from '../src/index.js';
import {
  eventually,
  jsapiBody,
  ledger,
  merchantOf,
  newUser,
  requestPayment,
  start,
  startReceiver,
  type Merchant,
  type Receiver,
} from './helpers.js';

interface AxiosAnswer {
  status: number;
  data: Record<string, unknown> & { data?: Array<Record<string, unknown>> };
  headers: Record<string, string>;
}
interface AxiosFailure {
  code?: string;
  message: string;
  response?: { status: number; data: Record<string, unknown> };
}
/** The plugin's typings are loose ("not perfect", #64); this is the part of its chain the test uses. */
interface Chain {
  readonly [segment: string]: Chain & {
    get(config?: Record<string, unknown>): Promise<AxiosAnswer>;
    post(data?: unknown, config?: Record<string, unknown>): Promise<AxiosAnswer>;
  };
}
interface Client {
  readonly v3: Chain;
}

function plugin(sb: RunningSandbox, certs: Record<string, string>, privateKeyPem?: string): Client {
  const env = sb.env();
  return new Wechatpay({
    mchid: env.WECHATPAY_MCHID!,
    serial: env.WECHATPAY_SERIAL_NO!,
    privateKey: privateKeyPem ?? fs.readFileSync(env.WECHATPAY_PRIVATE_KEY_PATH!, 'utf8'),
    certs,
    // Axios options share the one config object (README "APIv2&APIv3以及Axios初始参数,均融合在一个型参上").
    baseURL: `${sb.url}/`,
  } as ConstructorParameters<typeof Wechatpay>[0]) as unknown as Client;
}

async function failure(p: Promise<unknown>): Promise<AxiosFailure> {
  try {
    await p;
  } catch (err) {
    return err as AxiosFailure;
  }
  throw new Error('expected the plugin call to fail');
}

describe('publicKey mode', () => {
  let sb: RunningSandbox;
  let m: Merchant;
  let wxpay: Client;
  let receiver: Receiver;

  beforeAll(async () => {
    sb = await start({ timeFactor: 0.01 });
    m = merchantOf(sb);
    const info = sb.merchant();
    wxpay = plugin(sb, { [info.platformPublicKeyId]: info.platformPublicKey });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await sb.close();
    await receiver.close();
  });

  it('jsapi → query → requestPayment (plugin paySign) → notification (plugin decrypt/verify) → query by id', async () => {
    const { openid } = await newUser(sb);
    const body = jsapiBody(m, openid, { notify_url: receiver.url });
    const created = await wxpay.v3.pay!.transactions!.jsapi!.post(body);
    expect(created.status).toBe(200);
    const prepayId = created.data.prepay_id as string;
    expect(prepayId).toMatch(/^wx/);

    const outTradeNo = body.out_trade_no as string;
    const q = await wxpay.v3.pay!.transactions!.outTradeNo!.$out_trade_no$!.get({
      params: { mchid: m.mchid },
      out_trade_no: outTradeNo,
    });
    expect(q.data.trade_state).toBe('NOTPAY');

    // The README's paySign recipe: Rsa.sign(Formatter.joinedByLineFeed(appId, timeStamp, nonceStr, package)).
    const timeStamp = String(Formatter.timestamp());
    const nonceStr = Formatter.nonce();
    const pkg = `prepay_id=${prepayId}`;
    const paySign = Rsa.sign(
      Formatter.joinedByLineFeed(m.appid, timeStamp, nonceStr, pkg),
      Rsa.from(fs.readFileSync(sb.env().WECHATPAY_PRIVATE_KEY_PATH!, 'utf8'), Rsa.KEY_TYPE_PRIVATE),
    );
    expect(
      await requestPayment(sb, openid, { timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign }),
    ).toBe('requestPayment:ok');

    const r = await eventually(() => receiver.received[0], 5000, 'notification');
    const info = sb.merchant();
    const h = r.headers as Record<string, string>;
    expect(
      Rsa.verify(
        Formatter.response(h['wechatpay-timestamp']!, h['wechatpay-nonce']!, r.body),
        h['wechatpay-signature']!,
        Rsa.from(info.platformPublicKey, Rsa.KEY_TYPE_PUBLIC),
      ),
    ).toBe(true);
    const { resource } = JSON.parse(r.body) as { resource: Record<string, string> };
    const plaintext = JSON.parse(
      Aes.AesGcm.decrypt(resource.ciphertext!, m.apiV3Key, resource.nonce!, resource.associated_data),
    ) as Record<string, unknown>;
    expect(plaintext).toMatchObject({ out_trade_no: outTradeNo, trade_state: 'SUCCESS', payer: { openid } });

    const byId = await wxpay.v3.pay!.transactions!.id!._transaction_id_!.get({
      params: { mchid: m.mchid },
      transaction_id: plaintext.transaction_id,
    });
    expect(byId.data).toEqual(plaintext);
  });

  it('close answers a verified 204, refunds create and query verify too', async () => {
    const { openid } = await newUser(sb);
    const body = jsapiBody(m, openid);
    await wxpay.v3.pay!.transactions!.jsapi!.post(body);
    const closed = await wxpay.v3.pay!.transactions!.outTradeNo!.$out_trade_no$!.close!.post(
      { mchid: m.mchid },
      { out_trade_no: body.out_trade_no },
    );
    expect(closed.status).toBe(204);
    expect((await ledger(sb, body.out_trade_no as string)).trade_state).toBe('CLOSED');
    const noRefund = await failure(
      wxpay.v3.refund!.domestic!.refunds!.post({
        out_trade_no: body.out_trade_no,
        out_refund_no: 'RF1',
        amount: { refund: 1, total: 100, currency: 'CNY' },
      }),
    );
    expect(noRefund.response).toMatchObject({ status: 404, data: { code: 'RESOURCE_NOT_EXISTS' } });
  });

  it('the plugin really verifies: a client trusting another key rejects the sandbox answers', async () => {
    const stranger = crypto
      .generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const distrustful = plugin(sb, { [sb.merchant().platformPublicKeyId]: stranger });
    const { openid } = await newUser(sb);
    const err = await failure(distrustful.v3.pay!.transactions!.jsapi!.post(jsapiBody(m, openid)));
    expect(err.code).toBe('EV3_RES_HEADER_SIGNATURE_DIGEST');
  });

  it('and the sandbox really verifies the plugin: a wrong merchant key → 401 SIGN_ERROR', async () => {
    const wrongKey = crypto
      .generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const impostor = plugin(
      sb,
      { [sb.merchant().platformPublicKeyId]: sb.merchant().platformPublicKey },
      wrongKey,
    );
    const err = await failure(
      impostor.v3.pay!.transactions!.outTradeNo!.$out_trade_no$!.get({
        params: { mchid: m.mchid },
        out_trade_no: 'Any123456',
      }),
    );
    expect(err.response).toMatchObject({ status: 401, data: { code: 'SIGN_ERROR' } });
  });
});

describe('certificate mode', () => {
  it('the plugin verifies responses with the platform certificate and decrypts /v3/certificates', async () => {
    const sb = await start({ keyMode: 'certificate' });
    try {
      const m = merchantOf(sb);
      const info = sb.merchant();
      const wxpay = plugin(sb, { [info.platformCertificateSerial!]: info.platformCertificate! });
      const res = await wxpay.v3.certificates!.get();
      const enc = res.data.data![0]!.encrypt_certificate as Record<string, string>;
      const pem = Aes.AesGcm.decrypt(enc.ciphertext!, m.apiV3Key, enc.nonce!, enc.associated_data);
      expect(pem).toBe(info.platformCertificate);
    } finally {
      await sb.close();
    }
  });
});
