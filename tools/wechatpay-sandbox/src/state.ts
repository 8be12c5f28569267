/**
 * The sandbox's memory: orders, refunds, mini-program users and login codes, and the ledger that tests
 * read as ground truth. Plain JSON-able records, so the whole state can be written to a file and loaded.
 */
export type TradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';

export const ENDPOINTS = [
  'jsapi',
  'query',
  'close',
  'refund',
  'refundQuery',
  'certificates',
  'jscode2session',
  'login',
  'requestPayment',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export interface ConflictRecord {
  readonly at: string;
  /** The canonical fields that differ from the first call (§2.1). */
  readonly fields: readonly string[];
}

/** initial/retry follow §6.4; the others exist only when a notify fault asks for them. */
export type AttemptKind = 'initial' | 'retry' | 'duplicate' | 'probe' | 'badSignature';

export interface AttemptRecord {
  readonly notificationId: string;
  /** 1-based count of POSTs for this notification, probes and duplicates included. */
  readonly attempt: number;
  /** ISO-8601 UTC with milliseconds (the schedule is checked at ms precision in tests). */
  readonly at: string;
  readonly kind: AttemptKind;
  /** HTTP status, or null when there was none (connection refused, reset, 5 s deadline). */
  readonly status: number | null;
  readonly error?: string;
  readonly durationMs: number;
}

export type DeliveryOutcome = 'pending' | 'delivered' | 'exhausted' | 'dropped';

export interface DeliveryRecord {
  readonly notificationId: string;
  readonly event_type: 'TRANSACTION.SUCCESS' | 'REFUND.SUCCESS';
  readonly url: string;
  readonly createdAt: string;
  /** The notify fault applied to this notification, if any. */
  readonly fault?: string;
  outcome: DeliveryOutcome;
  /** Retries done so far (0..15, §6.4). */
  retries: number;
  attempts: number;
  /** When the next send is due (epoch ms); lets a restarted sandbox resume the schedule. */
  nextAttemptAtMs?: number;
  /** The exact body sent every time (same id, same ciphertext); headers are re-signed per attempt. */
  readonly body: string;
}

export interface OrderRecord {
  readonly appid: string;
  readonly mchid: string;
  readonly out_trade_no: string;
  readonly description: string;
  readonly amount: { readonly total: number; readonly currency: string };
  readonly payer: { readonly openid: string };
  readonly notify_url: string;
  readonly attach?: string;
  /** The effective last moment to pay (after the +1 min / +90 d / 7 d rules of §2.1), epoch ms. */
  readonly timeExpireMs: number;
  readonly timeExpireRequested?: string;
  /** JSON of the fields compared on a repeated prepay call (§2.1). */
  readonly canonical: string;
  trade_state: TradeState;
  prepay_id: string;
  prepayCreatedMs: number;
  /** Every prepay id ever issued for the order, oldest first (only the last one can pay). */
  prepay_ids: string[];
  readonly createdMs: number;
  successMs?: number;
  closedMs?: number;
  transaction_id?: string;
  calls: { jsapi: number; query: number; close: number };
  conflicts: ConflictRecord[];
  /** out_refund_no of the refunds of this order. */
  refunds: string[];
  deliveries: DeliveryRecord[];
  notifications: AttemptRecord[];
}

export type RefundStatus = 'PROCESSING' | 'SUCCESS';

export interface RefundRecord {
  readonly mchid: string;
  readonly out_refund_no: string;
  readonly refund_id: string;
  readonly out_trade_no: string;
  readonly transaction_id: string;
  readonly reason?: string;
  readonly notify_url?: string;
  readonly amount: { readonly refund: number; readonly total: number; readonly currency: string };
  status: RefundStatus;
  readonly createdMs: number;
  /** When PROCESSING turns into SUCCESS (epoch ms); lets a restarted sandbox finish it. */
  readonly dueMs: number;
  successMs?: number;
}

export interface CodeRecord {
  readonly code: string;
  readonly appid: string;
  readonly openid: string;
  readonly issuedMs: number;
  used: boolean;
}

export interface Stats {
  requests: Record<Endpoint, number>;
  conflicts: number;
  signErrors: number;
  faultsApplied: number;
  notifications: { attempts: number; delivered: number; exhausted: number; dropped: number };
}

export interface PersistedState {
  readonly version: 1;
  readonly orders: OrderRecord[];
  readonly refunds: RefundRecord[];
  readonly users: Record<string, string[]>;
  readonly codes: CodeRecord[];
  readonly stats: Stats;
}

export function emptyStats(): Stats {
  return {
    requests: Object.fromEntries(ENDPOINTS.map((e) => [e, 0])) as Record<Endpoint, number>,
    conflicts: 0,
    signErrors: 0,
    faultsApplied: 0,
    notifications: { attempts: 0, delivered: 0, exhausted: 0, dropped: 0 },
  };
}

const key = (mchid: string, id: string) => `${mchid}/${id}`;

export class SandboxState {
  private readonly orders = new Map<string, OrderRecord>();
  private readonly byPrepay = new Map<string, string>();
  private readonly byTransaction = new Map<string, string>();
  private readonly refunds = new Map<string, RefundRecord>();
  /** appid → openids issued by /__sandbox/login for that mini program. */
  private readonly users = new Map<string, Set<string>>();
  readonly codes = new Map<string, CodeRecord>();
  /** openid → recent code2Session call times (for 45011); not persisted, a minute window. */
  readonly loginCalls = new Map<string, number[]>();
  stats: Stats = emptyStats();
  private listener: () => void = () => {};

  /** Called after every change; the persistence layer debounces it. */
  onChange(listener: () => void): void {
    this.listener = listener;
  }

  changed(): void {
    this.listener();
  }

  order(mchid: string, outTradeNo: string): OrderRecord | undefined {
    return this.orders.get(key(mchid, outTradeNo));
  }

  orderByPrepay(prepayId: string): OrderRecord | undefined {
    const k = this.byPrepay.get(prepayId);
    return k === undefined ? undefined : this.orders.get(k);
  }

  orderByTransaction(mchid: string, transactionId: string): OrderRecord | undefined {
    const k = this.byTransaction.get(transactionId);
    const order = k === undefined ? undefined : this.orders.get(k);
    return order?.mchid === mchid ? order : undefined;
  }

  allOrders(): OrderRecord[] {
    return [...this.orders.values()];
  }

  /** Stores a new order or re-indexes an existing one after a prepay refresh or a payment. */
  putOrder(order: OrderRecord): void {
    const k = key(order.mchid, order.out_trade_no);
    this.orders.set(k, order);
    for (const id of order.prepay_ids) this.byPrepay.set(id, k);
    if (order.transaction_id) this.byTransaction.set(order.transaction_id, k);
  }

  refund(mchid: string, outRefundNo: string): RefundRecord | undefined {
    return this.refunds.get(key(mchid, outRefundNo));
  }

  putRefund(refund: RefundRecord): void {
    this.refunds.set(key(refund.mchid, refund.out_refund_no), refund);
  }

  allRefunds(): RefundRecord[] {
    return [...this.refunds.values()];
  }

  addUser(appid: string, openid: string): void {
    let set = this.users.get(appid);
    if (!set) this.users.set(appid, (set = new Set()));
    set.add(openid);
  }

  hasUser(appid: string, openid: string): boolean {
    return this.users.get(appid)?.has(openid) ?? false;
  }

  /** Clears transactions, refunds, users, codes and stats (not keys, not faults: those live elsewhere). */
  reset(): void {
    for (const m of [
      this.orders,
      this.byPrepay,
      this.byTransaction,
      this.refunds,
      this.users,
      this.codes,
      this.loginCalls,
    ])
      m.clear();
    this.stats = emptyStats();
  }

  toJSON(): PersistedState {
    return {
      version: 1,
      orders: this.allOrders(),
      refunds: this.allRefunds(),
      users: Object.fromEntries([...this.users].map(([appid, set]) => [appid, [...set]])),
      codes: [...this.codes.values()],
      stats: this.stats,
    };
  }

  static fromJSON(data: PersistedState): SandboxState {
    const state = new SandboxState();
    for (const o of data.orders) state.putOrder(o);
    for (const r of data.refunds) state.putRefund(r);
    for (const [appid, openids] of Object.entries(data.users))
      for (const id of openids) state.addUser(appid, id);
    for (const c of data.codes) state.codes.set(c.code, c);
    state.stats = {
      ...emptyStats(),
      ...data.stats,
      requests: { ...emptyStats().requests, ...data.stats.requests },
    };
    return state;
  }
}
