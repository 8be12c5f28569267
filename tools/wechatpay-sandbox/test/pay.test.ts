/** wx.requestPayment as the WeChat app checks it (§7), and the prepay_id lifetime (§2.1, C7). */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unixSeconds } from '@wxpay-saga/wechatpay';
import type { RunningSandbox } from '../src/index.js';
import {
  control,
  ledger,
  merchantOf,
  newUser,
  payParams,
  prepay,
  requestPayment,
  start,
  v3,
  type Merchant,
} from './helpers.js';

let sb: RunningSandbox;
let m: Merchant;

beforeAll(async () => {
  sb = await start();
  m = merchantOf(sb);
});
afterAll(() => sb.close());

describe('§7 requestPayment', () => {
  it('ok: the order becomes SUCCESS with a 28-digit 4200… transaction_id and a +08:00 success_time', async () => {
    const { openid } = await newUser(sb);
    const order = await prepay(sb, m, openid);
    expect(await requestPayment(sb, openid, payParams(m, order.prepayId))).toBe('requestPayment:ok');
    const entry = await ledger(sb, order.outTradeNo);
    expect(entry.trade_state).toBe('SUCCESS');
    expect(entry.transaction_id).toMatch(/^4200\d{24}$/);
    expect(entry.success_time).toMatch(/\+08:00$/);
    expect(entry.deliveries).toHaveLength(1);
  });

  it('a second payment of the same order → fail order paid', async () => {
    const { openid } = await newUser(sb);
    const order = await prepay(sb, m, openid);
    expect(await requestPayment(sb, openid, payParams(m, order.prepayId))).toBe('requestPayment:ok');
    expect(await requestPayment(sb, openid, payParams(m, order.prepayId))).toBe(
      'requestPayment:fail order paid',
    );
  });

  it('cancel → fail cancel, and nothing changes', async () => {
    const { openid } = await newUser(sb);
    const order = await prepay(sb, m, openid);
    expect(await requestPayment(sb, openid, { ...payParams(m, order.prepayId), action: 'cancel' })).toBe(
      'requestPayment:fail cancel',
    );
    const entry = await ledger(sb, order.outTradeNo);
    expect([entry.trade_state, entry.deliveries.length]).toEqual(['NOTPAY', 0]);
    expect(await requestPayment(sb, openid, payParams(m, order.prepayId))).toBe('requestPayment:ok');
  });

  it.each<[string, (p: Record<string, unknown>, prepayId: string) => Record<string, unknown>]>([
    ['invalid timeStamp', (p) => ({ ...p, timeStamp: String(Date.now()) })],
    ['invalid timeStamp', (p) => ({ ...p, timeStamp: Number(p.timeStamp) })],
    ['invalid signType', (p) => ({ ...p, signType: 'MD5' })],
    ['invalid package', (p, id) => ({ ...p, package: id })],
    ['prepay_id not found', (p) => ({ ...p, package: 'prepay_id=wx20990101000000aaaaaaaaaaaaaaaaaaaa' })],
    ['invalid paySign', (p) => ({ ...p, nonceStr: `${String(p.nonceStr).slice(0, 31)}X` })],
    ['invalid params', (p) => ({ ...p, paySign: undefined })],
  ])('fail %s', async (reason, mutate) => {
    const { openid } = await newUser(sb);
    const order = await prepay(sb, m, openid);
    expect(await requestPayment(sb, openid, mutate(payParams(m, order.prepayId), order.prepayId))).toBe(
      `requestPayment:fail ${reason}`,
    );
    expect((await ledger(sb, order.outTradeNo)).trade_state).toBe('NOTPAY');
  });

  it('fail invalid paySign: signed with another key, or over another appid', async () => {
    const { openid } = await newUser(sb);
    const order = await prepay(sb, m, openid);
    const other = { ...m, privateKey: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey };
    expect(await requestPayment(sb, openid, payParams(other, order.prepayId))).toBe(
      'requestPayment:fail invalid paySign',
    );
    expect(
      await requestPayment(sb, openid, payParams({ ...m, appid: 'wx0000000000000000' }, order.prepayId)),
    ).toBe('requestPayment:fail invalid paySign');
  });

  it('fail payer mismatch: another user opens the order', async () => {
    const owner = await newUser(sb);
    const stranger = await newUser(sb);
    const order = await prepay(sb, m, owner.openid);
    expect(await requestPayment(sb, stranger.openid, payParams(m, order.prepayId))).toBe(
      'requestPayment:fail payer mismatch',
    );
  });

  it('fail order closed', async () => {
    const { openid } = await newUser(sb);
    const order = await prepay(sb, m, openid);
    await v3(sb, m, 'POST', `/v3/pay/transactions/out-trade-no/${order.outTradeNo}/close`, {
      mchid: m.mchid,
    });
    expect(await requestPayment(sb, openid, payParams(m, order.prepayId))).toBe(
      'requestPayment:fail order closed',
    );
  });

  it('an unknown action is a 400, not a payment', async () => {
    const res = await control(sb, 'POST', '/__sandbox/requestPayment', { action: 'pay' });
    expect([res.status, res.json().code]).toEqual([400, 'SANDBOX_BAD_REQUEST']);
  });
});

describe('prepay_id lives 2 hours (§2.1, C7)', () => {
  it('after 2 h it is refused; an identical prepay call issues a fresh one that pays', async () => {
    let offset = 0;
    const clock = () => Date.now() + offset;
    const timed = await start({ now: clock });
    try {
      const tm = merchantOf(timed);
      const { openid } = await newUser(timed);
      const order = await prepay(timed, tm, openid);
      offset = 2 * 3600_000 + 1000;
      expect(await requestPayment(timed, openid, payParams(tm, order.prepayId))).toBe(
        'requestPayment:fail prepay_id expired',
      );
      // The sandbox clock moved: sign with it, or the ±300 s window rejects the call.
      const again = await v3(timed, tm, 'POST', '/v3/pay/transactions/jsapi', order.body, {
        timestamp: unixSeconds(clock()),
      });
      const fresh = again.json<{ prepay_id: string }>().prepay_id;
      expect(fresh).not.toBe(order.prepayId);
      expect((await ledger(timed, order.outTradeNo)).prepay_ids).toEqual([order.prepayId, fresh]);
      expect(await requestPayment(timed, openid, payParams(tm, order.prepayId))).toBe(
        'requestPayment:fail prepay_id expired',
      );
      expect(await requestPayment(timed, openid, payParams(tm, fresh))).toBe('requestPayment:ok');
    } finally {
      await timed.close();
    }
  });
});
