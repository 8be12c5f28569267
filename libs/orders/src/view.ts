import { flagsOf, statusOf, type OrderFacts, type OrderFlags, type OrderStatus } from './reducer.js';

/** The order as the API shows it to its owner (no openid, no prepay_id). */
export interface OrderView {
  readonly id: string;
  readonly status: OrderStatus;
  readonly items: { sku: string; name: string; quantity: number; unitPrice: number; lineTotal: number }[];
  readonly total: number;
  readonly currency: 'CNY';
  readonly description: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly cancelRequested: boolean;
  readonly transaction: {
    readonly transactionId: string;
    readonly paidAt: string;
    readonly amount: number;
    readonly confirmedBy: 'NOTIFICATION' | 'QUERY';
  } | null;
  readonly closed: { readonly reason: string; readonly closedAt: string } | null;
  readonly failure: { readonly code: string; readonly message: string } | null;
  readonly flags: OrderFlags;
}

/** Undefined until the OrderPlaced fact is known (it carries the owner and the items). */
export function toView(f: OrderFacts): OrderView | undefined {
  const status = statusOf(f);
  const placed = f.placed;
  if (!placed || !status) return undefined;
  return {
    id: f.orderId,
    status,
    items: placed.items,
    total: placed.total,
    currency: placed.currency,
    description: placed.description,
    createdAt: placed.placedAt,
    expiresAt: placed.expiresAt,
    cancelRequested: Boolean(f.cancelRequested),
    transaction: f.confirmed
      ? {
          transactionId: f.confirmed.transactionId,
          paidAt: f.confirmed.successTime,
          amount: f.confirmed.amount.total,
          confirmedBy: f.confirmed.source,
        }
      : null,
    closed: f.closed ? { reason: f.closed.reason, closedAt: f.closed.closedAt } : null,
    failure: f.failed ? { code: f.failed.code, message: f.failed.message } : null,
    flags: flagsOf(f),
  };
}

export const ownerOf = (f: OrderFacts): string | undefined => f.placed?.payer.openid;
