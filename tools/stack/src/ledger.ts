import type { OrderStore } from '@wxpay-saga/order-store';
import { flagsOf, isFinal, statusOf, type OrderFacts } from '@wxpay-saga/orders';
import type { SandboxClient } from './sandbox-client.js';

/** What the sandbox's ledger says about one order (the subset the checker needs). */
export interface LedgerEntry {
  readonly out_trade_no: string;
  readonly trade_state: 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';
  readonly transaction_id: string | null;
  readonly time_expire: string;
  readonly conflicts?: readonly unknown[];
}

export interface Discrepancy {
  readonly orderId: string;
  readonly rule: string;
  readonly detail: string;
}

export interface LedgerReport {
  readonly discrepancies: Discrepancy[];
  readonly counts: Record<string, number>;
}

const paidAtWechat = (e: LedgerEntry | undefined) =>
  e?.trade_state === 'SUCCESS' || e?.trade_state === 'REFUND';

/**
 * The invariants between WeChat's ledger (the sandbox) and our order view, one order at a time. Pure:
 * the caller fetches both sides.
 */
export function compareOrder(
  orderId: string,
  entry: LedgerEntry | undefined,
  facts: OrderFacts | undefined,
  nowMs: number,
  graceMs: number,
): Discrepancy[] {
  const out: Discrepancy[] = [];
  const status = facts && statusOf(facts);
  const add = (rule: string, detail: string) => out.push({ orderId, rule, detail });
  if ((entry?.conflicts?.length ?? 0) > 0)
    add(
      'PREPAY_CONFLICT',
      `WeChat saw ${entry!.conflicts!.length} conflicting prepay request(s) (INVALID_REQUEST)`,
    );
  if (paidAtWechat(entry)) {
    if (status !== 'PAID')
      add('PAID_AT_WECHAT_NOT_PAID_HERE', `WeChat ${entry!.trade_state}, order ${status ?? 'unknown'}`);
    else if (facts!.confirmed!.transactionId !== entry!.transaction_id)
      add(
        'TRANSACTION_MISMATCH',
        `order has ${facts!.confirmed!.transactionId}, WeChat ${entry!.transaction_id}`,
      );
  }
  if (
    entry?.trade_state === 'CLOSED' &&
    status !== 'CLOSED' &&
    !(status === 'PAID' && flagsOf(facts!).paidAfterClose)
  ) {
    add('CLOSED_AT_WECHAT_NOT_CLOSED_HERE', `WeChat CLOSED, order ${status ?? 'unknown'}`);
  }
  if (
    status === 'PAID' &&
    !paidAtWechat(entry) &&
    !(entry?.trade_state === 'CLOSED' && flagsOf(facts!).paidAfterClose)
  ) {
    add('PAID_WITHOUT_PAYMENT', `order PAID, WeChat ${entry?.trade_state ?? 'has no such order'}`);
  }
  if (status === 'CLOSED' && entry?.trade_state === 'NOTPAY' && Date.parse(entry.time_expire) > nowMs) {
    add(
      'CLOSED_HERE_PAYABLE_AT_WECHAT',
      `order CLOSED but WeChat would still take payment until ${entry.time_expire}`,
    );
  }
  if (facts?.placed && !isFinal(facts) && Date.parse(facts.placed.expiresAt) + graceMs < nowMs) {
    add('STUCK_OPEN', `order ${status} past its deadline ${facts.placed.expiresAt} + ${graceMs} ms`);
  }
  return out;
}

/** Compares the whole sandbox ledger with the whole order view. */
export async function checkLedger(opts: {
  sandbox: SandboxClient;
  view: OrderStore;
  nowMs?: number;
  graceMs?: number;
}): Promise<LedgerReport> {
  const nowMs = opts.nowMs ?? Date.now();
  const graceMs = opts.graceMs ?? 60_000;
  const { transactions } = (await opts.sandbox.transactions()) as { transactions: LedgerEntry[] };
  const ledger = new Map(transactions.map((t) => [t.out_trade_no, t]));
  const ids = new Set(ledger.keys());
  for await (const batch of opts.view.allIds()) for (const id of batch) ids.add(id);
  const counts: Record<string, number> = {
    transactions: transactions.length,
    orders: 0,
    PAID: 0,
    CLOSED: 0,
    FAILED: 0,
    PAYABLE: 0,
    PLACED: 0,
    paidAfterClose: 0,
    amountMismatch: 0,
  };
  const discrepancies: Discrepancy[] = [];
  for (const id of ids) {
    const facts = await opts.view.get(id);
    const status = facts && statusOf(facts);
    if (facts?.placed) {
      counts.orders!++;
      if (status) counts[status] = (counts[status] ?? 0) + 1;
      if (flagsOf(facts).paidAfterClose) counts.paidAfterClose!++;
      if (flagsOf(facts).amountMismatch) counts.amountMismatch!++;
    }
    discrepancies.push(...compareOrder(id, ledger.get(id), facts, nowMs, graceMs));
  }
  return { discrepancies, counts };
}
