/**
 * Every endpoint of the client against the sandbox over real HTTP, in public-key mode and in certificate
 * mode (§2.7, §2.8), including the full mini-program pay path: login (§8) → prepay (§2.1) → requestPayment
 * (§7) → query (§2.2/§2.3) → notification (§6) → refund (§2.5/§2.6, §6.3) → close (§2.4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paySignMessage, verifySha256Rsa, WechatPayError, type WechatPayConfig } from '@wxpay-saga/wechatpay';
import type { RunningSandbox } from '@wxpay-saga/wechatpay-sandbox';
import {
  clientsFor,
  configFrom,
  control,
  eventually,
  startReceiver,
  startTestSandbox,
  uniqueNo,
  verifierFor,
  type Clients,
  type Receiver,
} from './sandbox-harness.js';

interface MerchantInfo {
  mchid: string;
  appid: string;
  publicKey: string;
  platformPublicKeyId: string;
  platformCertificateSerial?: string;
}

const PUBLIC_KEY_VARS = ['WECHATPAY_PLATFORM_PUBLIC_KEY_ID', 'WECHATPAY_PLATFORM_PUBLIC_KEY_PATH'];
const CERT_VARS = ['WECHATPAY_PLATFORM_CERT_SERIAL', 'WECHATPAY_PLATFORM_CERT_PATH'];

const modes = [
  // publicKey mode: only the PUB_KEY_ID pair is configured (env() gives no certificate pair here).
  { keyMode: 'publicKey' as const, drop: [] as string[] },
  // certificate mode: the client is configured with the certificate pair ONLY, as a legacy merchant would be.
  { keyMode: 'certificate' as const, drop: PUBLIC_KEY_VARS },
];

describe.each(modes)('sandbox in $keyMode mode', ({ keyMode, drop }) => {
  let sb: RunningSandbox;
  let c: Clients;
  let receiver: Receiver;
  let merchant: MerchantInfo;

  beforeAll(async () => {
    sb = await startTestSandbox({ keyMode });
    c = clientsFor(configFrom(sb, {}, drop));
    receiver = await startReceiver(verifierFor(c.config));
    merchant = await control<MerchantInfo>(sb, 'GET', '/__sandbox/merchant');
  });
  afterAll(async () => {
    await receiver?.close();
    await sb?.close();
  });

  it('the env contract yields the expected verifier keys', () => {
    const ids = Object.keys(c.config.verifierKeys);
    if (keyMode === 'publicKey') expect(ids).toEqual([merchant.platformPublicKeyId]);
    else expect(ids).toEqual([merchant.platformCertificateSerial]);
    expect(c.config.mchid).toBe(merchant.mchid);
  });

  it('full pay path: login → prepay → requestPayment → query → verified notification → refund', async () => {
    const { code, openid } = await control<{ code: string; openid: string }>(
      sb,
      'POST',
      '/__sandbox/login',
      {},
    );
    const session = await c.login.code2Session(code);
    expect(session.openid).toBe(openid);
    expect(session.sessionKey).toBeTruthy();

    const outTradeNo = uniqueNo('pay');
    const prepay = await c.pay.prepayJsapi({
      outTradeNo,
      description: '测试商品-杯子',
      amountTotal: 1999,
      payerOpenid: openid,
      notifyUrl: `${receiver.url}/pay`,
      attach: 'cart=7',
    });
    const rp = prepay.requestPayment;
    expect(rp.package).toBe(`prepay_id=${prepay.prepayId}`);
    expect(rp).toMatchObject({ appId: merchant.appid, signType: 'RSA' });
    // §7: paySign checked independently with the merchant public key the sandbox publishes.
    expect(
      verifySha256Rsa(
        paySignMessage(rp.appId, rp.timeStamp, rp.nonceStr, rp.package),
        rp.paySign,
        merchant.publicKey,
      ),
    ).toBe(true);
    expect(await c.pay.queryByOutTradeNo(outTradeNo)).toMatchObject({
      trade_state: 'NOTPAY',
      out_trade_no: outTradeNo,
    });

    const paid = await control<{ errMsg: string }>(sb, 'POST', '/__sandbox/requestPayment', {
      openid,
      ...rp,
    });
    expect(paid.errMsg).toBe('requestPayment:ok');

    const tx = await c.pay.queryByOutTradeNo(outTradeNo);
    expect(tx).toMatchObject({
      trade_state: 'SUCCESS',
      appid: merchant.appid,
      mchid: merchant.mchid,
      attach: 'cart=7',
      payer: { openid },
      amount: { total: 1999, payer_total: 1999 },
    });
    expect(tx.transaction_id).toBeTruthy();
    expect(await c.pay.queryByTransactionId(tx.transaction_id!)).toMatchObject({
      out_trade_no: outTradeNo,
      trade_state: 'SUCCESS',
    });

    const note = await eventually(
      () => receiver.received.find((r) => r.transaction?.transaction.out_trade_no === outTradeNo),
      5000,
      'payment notification',
    );
    expect(note.status).toBe(204);
    expect(note.transaction).toMatchObject({
      eventType: 'TRANSACTION.SUCCESS',
      transaction: { trade_state: 'SUCCESS', transaction_id: tx.transaction_id },
    });

    const outRefundNo = uniqueNo('rf');
    const refund = await c.pay.createRefund({
      outTradeNo,
      outRefundNo,
      reason: '不想要了',
      notifyUrl: `${receiver.url}/refund`,
      amount: { refund: 999, total: 1999, currency: 'CNY' },
    });
    expect(refund).toMatchObject({
      out_refund_no: outRefundNo,
      out_trade_no: outTradeNo,
      transaction_id: tx.transaction_id,
      status: 'PROCESSING',
      amount: { refund: 999, total: 1999 },
    });
    // §2.5: the same out_refund_no refunds once and answers with the same refund.
    const again = await c.pay.createRefund({
      transactionId: tx.transaction_id!,
      outRefundNo,
      amount: { refund: 999, total: 1999, currency: 'CNY' },
    });
    expect(again.refund_id).toBe(refund.refund_id);

    const refundNote = await eventually(
      () => receiver.received.find((r) => r.refund?.refund.out_refund_no === outRefundNo),
      5000,
      'refund notification',
    );
    expect(refundNote.refund).toMatchObject({
      eventType: 'REFUND.SUCCESS',
      refund: { refund_status: 'SUCCESS', refund_id: refund.refund_id, amount: { refund: 999 } },
    });
    expect(await c.pay.queryRefund(outRefundNo)).toMatchObject({
      status: 'SUCCESS',
      refund_id: refund.refund_id,
    });
    expect((await c.pay.queryByOutTradeNo(outTradeNo)).trade_state).toBe('REFUND');
    expect(receiver.received.filter((r) => r.status !== 204)).toEqual([]);
  });

  it('close: 204 verified, then CLOSED; a second close is ORDER_CLOSED', async () => {
    const { openid } = await control<{ openid: string }>(sb, 'POST', '/__sandbox/login', {});
    const outTradeNo = uniqueNo('cl');
    await c.pay.prepayJsapi({
      outTradeNo,
      description: 'to close',
      amountTotal: 1,
      payerOpenid: openid,
      notifyUrl: `${receiver.url}/pay`,
    });
    await expect(c.pay.closeOrder(outTradeNo)).resolves.toBeUndefined();
    expect((await c.pay.queryByOutTradeNo(outTradeNo)).trade_state).toBe('CLOSED');
    await expect(c.pay.closeOrder(outTradeNo)).rejects.toMatchObject({
      code: 'ORDER_CLOSED',
      httpStatus: 400,
      retriable: false,
    });
  });

  it('prepay with identical parameters returns the same order; changed parameters are INVALID_REQUEST (§2.1)', async () => {
    const { openid } = await control<{ openid: string }>(sb, 'POST', '/__sandbox/login', {});
    const req = {
      outTradeNo: uniqueNo('re'),
      description: 'repeat',
      amountTotal: 5,
      payerOpenid: openid,
      notifyUrl: `${receiver.url}/pay`,
    };
    const first = await c.pay.prepayJsapi(req);
    expect((await c.pay.prepayJsapi(req)).prepayId).toBe(first.prepayId);
    await expect(c.pay.prepayJsapi({ ...req, amountTotal: 6 })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      httpStatus: 400,
    });
  });

  it('unknown order and refund → ORDER_NOT_EXIST / RESOURCE_NOT_EXISTS (404, not retriable)', async () => {
    await expect(c.pay.queryByOutTradeNo(uniqueNo('none'))).rejects.toMatchObject({
      code: 'ORDER_NOT_EXIST',
      httpStatus: 404,
      retriable: false,
    });
    await expect(c.pay.queryRefund(uniqueNo('none'))).rejects.toMatchObject({
      code: 'RESOURCE_NOT_EXISTS',
      httpStatus: 404,
    });
  });

  it('platform certificates (§2.7)', async () => {
    if (keyMode === 'certificate') {
      const certs = await c.pay.fetchPlatformCertificates();
      expect(certs.map((x) => x.serialNo)).toEqual([merchant.platformCertificateSerial]);
      expect(certs[0]?.certificatePem).toContain('BEGIN CERTIFICATE');
    } else {
      // The sandbox's documented choice for public-key-only merchants (§2.7: live behaviour UNCONFIRMED).
      const err = await c.pay.fetchPlatformCertificates().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WechatPayError);
      expect(err).toMatchObject({ code: 'RESOURCE_NOT_EXISTS', httpStatus: 404 });
    }
  });
});

describe('sandbox in both mode: the response key follows our Wechatpay-Serial (§2.8)', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startTestSandbox({ keyMode: 'both' });
  });
  afterAll(() => sb?.close());

  const query = async (config: WechatPayConfig) => {
    const err = await clientsFor(config)
      .pay.queryByOutTradeNo(uniqueNo('both'))
      .then(
        () => null,
        (e: unknown) => e,
      );
    // ORDER_NOT_EXIST means the request was authenticated; the 2xx path is covered by the certificates call.
    expect(err).toMatchObject({ code: 'ORDER_NOT_EXIST' });
    return clientsFor(config).pay.fetchPlatformCertificates();
  };

  it('configured with the certificate only, the certificate signs', async () => {
    await expect(query(configFrom(sb, {}, PUBLIC_KEY_VARS))).resolves.toHaveLength(1);
  });
  it('configured with the public key only, the public key signs', async () => {
    await expect(query(configFrom(sb, {}, CERT_VARS))).resolves.toHaveLength(1);
  });
});
