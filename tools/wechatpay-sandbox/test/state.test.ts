/** State persistence to a JSON file (SANDBOX_STATE_FILE), resume after restart, and reset. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/index.js';
import {
  control,
  eventually,
  ledger,
  merchantOf,
  newUser,
  paidOrder,
  prepay,
  start,
  startReceiver,
  tempDir,
  v3,
  type Receiver,
} from './helpers.js';

const receivers: Receiver[] = [];
afterAll(() => Promise.all(receivers.map((r) => r.close())));

describe('state file', () => {
  it('is written on change (debounced) and reloaded at start: orders, users and the ledger survive', async () => {
    const stateFile = path.join(tempDir(), 'nested', 'state.json');
    let sb: RunningSandbox = await start({ stateFile });
    const m = merchantOf(sb);
    const paid = await paidOrder(sb, m);
    const { openid } = await newUser(sb);
    const open = await prepay(sb, m, openid);
    await eventually(
      () => fs.existsSync(stateFile) && fs.readFileSync(stateFile, 'utf8').includes(open.outTradeNo),
      5000,
      'state write',
    );
    expect(fs.statSync(stateFile).mode & 0o777).toBe(0o600);
    // Its notification (to a closed port) has been tried once and waits 15 s for a retry: stable now.
    const before = await eventually(async () => {
      const e = await ledger(sb, paid.outTradeNo);
      return e.notifications.length === 1 && e;
    });
    await sb.close();

    sb = await start({ stateFile });
    try {
      const after = await ledger(sb, paid.outTradeNo);
      expect(after).toEqual(before);
      const q = await v3(sb, m, 'GET', `/v3/pay/transactions/id/${after.transaction_id!}?mchid=${m.mchid}`);
      expect(q.json().trade_state).toBe('SUCCESS');
      // The openid is still this appid's user, and the prepay_id index survived.
      expect((await v3(sb, m, 'POST', '/v3/pay/transactions/jsapi', open.body)).json().prepay_id).toBe(
        open.prepayId,
      );
    } finally {
      await sb.close();
    }
  });

  it('resumes a notification that was waiting for a retry when the sandbox stopped', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    receiver.reply((_r, i) => (i === 0 ? 500 : 204));
    const stateFile = path.join(tempDir(), 'state.json');
    let sb = await start({ stateFile, timeFactor: 0.05 }); // first retry due after 750 ms
    const m = merchantOf(sb);
    const paid = await paidOrder(sb, m, { notify_url: receiver.url });
    await eventually(async () => (await ledger(sb, paid.outTradeNo)).notifications.length === 1);
    await sb.close();
    expect(receiver.received).toHaveLength(1);

    sb = await start({ stateFile, timeFactor: 0.05 });
    try {
      const entry = await eventually(async () => {
        const e = await ledger(sb, paid.outTradeNo);
        return e.deliveries[0]!.outcome === 'delivered' && e;
      }, 10_000);
      expect(entry.notifications.map((a) => [a.attempt, a.kind, a.status])).toEqual([
        [1, 'initial', 500],
        [2, 'retry', 204],
      ]);
      expect(receiver.received).toHaveLength(2);
    } finally {
      await sb.close();
    }
  });

  it('finishes a refund that was still PROCESSING', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    let sb = await start({ stateFile, timeFactor: 0.1 });
    const m = merchantOf(sb);
    const paid = await paidOrder(sb, m);
    const body = {
      out_trade_no: paid.outTradeNo,
      out_refund_no: 'R-resume-1',
      amount: { refund: 5, total: 100, currency: 'CNY' },
    };
    expect((await v3(sb, m, 'POST', '/v3/refund/domestic/refunds', body)).json().status).toBe('PROCESSING');
    await sb.close();
    sb = await start({ stateFile, timeFactor: 0.1 });
    try {
      await eventually(
        async () =>
          (await v3(sb, m, 'GET', '/v3/refund/domestic/refunds/R-resume-1')).json().status === 'SUCCESS',
        5000,
      );
    } finally {
      await sb.close();
    }
  });
});

describe('/__sandbox/reset', () => {
  it('clears transactions, faults and codes, not keys', async () => {
    const sb = await start();
    try {
      const m = merchantOf(sb);
      const paid = await paidOrder(sb, m);
      const { code } = await newUser(sb);
      await control(sb, 'POST', '/__sandbox/faults', { endpoint: 'query', kind: 'error' });
      expect((await control(sb, 'POST', '/__sandbox/reset')).status).toBe(200);
      expect((await control(sb, 'GET', `/__sandbox/transactions/${paid.outTradeNo}`)).status).toBe(404);
      expect((await control(sb, 'GET', '/__sandbox/transactions')).json()).toEqual({ transactions: [] });
      expect((await control(sb, 'GET', '/__sandbox/faults')).json()).toEqual({ faults: [] });
      const cs = await fetch(
        `${sb.url}/sns/jscode2session?appid=${m.appid}&secret=${m.appSecret}&js_code=${code}&grant_type=authorization_code`,
      );
      expect(((await cs.json()) as { errcode: number }).errcode).toBe(40029);
      expect(merchantOf(sb).serialNo).toBe(m.serialNo);
      expect((await control(sb, 'GET', '/__sandbox/stats')).json()).toMatchObject({
        orders: 0,
        conflicts: 0,
      });
    } finally {
      await sb.close();
    }
  });
});
