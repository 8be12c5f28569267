/** JSON shapes of the order API and the sandbox control API, as the tools and tests read them. */
export interface ErrorJson {
  code: string;
  message: string;
  details?: unknown;
}

export interface PaymentParamsJson {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

export interface OrderJson {
  id: string;
  status: 'PLACED' | 'PAYABLE' | 'PAID' | 'FAILED' | 'CLOSED';
  items: { sku: string; name: string; quantity: number; unitPrice: number; lineTotal: number }[];
  total: number;
  currency: 'CNY';
  description: string;
  createdAt: string;
  expiresAt: string;
  cancelRequested: boolean;
  transaction: {
    transactionId: string;
    paidAt: string;
    amount: number;
    confirmedBy: 'NOTIFICATION' | 'QUERY';
  } | null;
  closed: { reason: string; closedAt: string } | null;
  failure: { code: string; message: string } | null;
  flags: { paidAfterClose: boolean; amountMismatch: boolean };
}

/** A body that is either the success shape or an error: `code` tells which. */
export type Answer<T> = T & Partial<ErrorJson>;

export interface CreateOrderJson {
  order: OrderJson;
  payment: PaymentParamsJson | null;
}

export interface ProductsJson {
  products: { sku: string; name: string; unitPrice: number; currency: 'CNY' }[];
}

export interface NotificationAttemptJson {
  notificationId: string;
  attempt: number;
  at: string;
  kind: string;
  status: number | null;
  error?: string;
  durationMs: number;
}

/** One order in the sandbox's ledger (GET /__sandbox/transactions/{out_trade_no}). */
export interface LedgerJson {
  out_trade_no: string;
  mchid: string;
  appid: string;
  trade_state: 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';
  amount: { total: number; currency: string };
  payer: { openid: string };
  transaction_id: string | null;
  prepay_id: string;
  prepay_ids: string[];
  created_at: string;
  success_time: string | null;
  closed_at: string | null;
  time_expire: string;
  calls: { jsapi: number; query: number; close: number };
  conflicts: unknown[];
  notifications: NotificationAttemptJson[];
}

export interface SandboxStatsJson {
  requests: Record<string, number>;
  conflicts: number;
  signErrors: number;
  faultsApplied: number;
  notifications: { attempts: number; delivered: number; exhausted: number; dropped: number };
  orders: number;
}

export interface MerchantJson {
  mchid: string;
  appid: string;
  serialNo: string;
  publicKey: string;
  certificate?: string;
  platformPublicKeyId: string;
  platformPublicKey: string;
  platformCertificateSerial?: string;
  platformCertificate?: string;
}
