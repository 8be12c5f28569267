import { randomUUID } from 'node:crypto';
import { OrderPlaced, newEvent, type OrderPlacedEvent } from '@wxpay-saga/contracts';
import type { EventProducer } from '@wxpay-saga/messaging';
import type { OrderStore, PaymentParamsRecord } from '@wxpay-saga/order-store';
import {
  deriveOrderId,
  describeOrder,
  idempotencyKeyHash,
  priceOrder,
  requestFingerprint,
  toView,
  type OrderView,
  type Product,
  type RequestedItem,
} from '@wxpay-saga/orders';
import { ApiError } from '../http/errors.js';
import type { IdempotencyRecord, IdempotencyStore } from './idempotency.js';

export interface CreateOrderDeps {
  readonly catalog: readonly Product[];
  readonly orderIdSecret: string;
  readonly orderTtlMs: number;
  readonly paymentWaitMs: number;
  readonly idempotency: IdempotencyStore;
  readonly store: OrderStore;
  readonly producer: EventProducer;
  readonly readParams: (orderId: string) => Promise<PaymentParamsRecord | undefined>;
  readonly now: () => number;
}

export interface CreateOrderInput {
  readonly openid: string;
  readonly idempotencyKey: string;
  readonly body: { items: RequestedItem[] };
  readonly requestId: string;
}

export interface CreateOrderResponse {
  readonly statusCode: number;
  readonly body: { order: OrderView; payment: PaymentParamsRecord['params'] | null };
}

const LEASE_MS = 10_000;

/**
 * POST /v1/orders with Stripe's idempotency semantics: same key + same body → the first response
 * (also when two requests race); same key + other body → 422. The order id is derived from the user and
 * the key, so even a replay after Redis lost the record maps to the same order (and the view, rebuilt
 * from Kafka, still knows its fingerprint).
 */
export async function createOrder(
  deps: CreateOrderDeps,
  input: CreateOrderInput,
): Promise<CreateOrderResponse> {
  const fingerprint = requestFingerprint(input.body);
  const keyHash = idempotencyKeyHash(input.openid, input.idempotencyKey);
  const orderId = deriveOrderId(deps.orderIdSecret, input.openid, input.idempotencyKey);

  const existing = await deps.idempotency.get(keyHash);
  if (existing) {
    if (existing.fingerprint !== fingerprint) throw keyReused();
    return followExisting(deps, keyHash, existing);
  }
  // No record, but the order exists: Redis lost the record and the view was rebuilt from the log.
  const known = await deps.store.get(orderId);
  if (known?.placed) {
    if (known.placed.requestFingerprint !== fingerprint) throw keyReused();
    return respond(deps, orderId);
  }

  const event = buildEvent(deps, input, { orderId, fingerprint, keyHash });
  const claim = await deps.idempotency.claim(keyHash, {
    fingerprint,
    state: 'pending',
    event,
    leaseUntil: deps.now() + LEASE_MS,
  });
  if (claim.record.fingerprint !== fingerprint) throw keyReused();
  if (claim.kind === 'existing') return followExisting(deps, keyHash, claim.record);
  return publishAndRespond(deps, keyHash, claim.record);
}

function buildEvent(
  deps: CreateOrderDeps,
  input: CreateOrderInput,
  ids: { orderId: string; fingerprint: string; keyHash: string },
): OrderPlacedEvent {
  const priced = priceOrder(deps.catalog, input.body.items);
  if (!priced.ok) {
    const message =
      priced.code === 'UNKNOWN_SKU'
        ? `unknown sku ${priced.sku}`
        : priced.code === 'DUPLICATE_SKU'
          ? `sku ${priced.sku} listed twice`
          : 'order total too large';
    throw new ApiError(priced.code, message, priced.sku ? { sku: priced.sku } : undefined);
  }
  const now = deps.now();
  return newEvent(OrderPlaced, {
    orderId: ids.orderId,
    correlationId: input.requestId,
    causationId: null,
    payload: {
      payer: { openid: input.openid },
      items: priced.items,
      total: priced.total,
      currency: 'CNY',
      description: describeOrder(priced.items),
      placedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + deps.orderTtlMs).toISOString(),
      idempotencyKeyHash: ids.keyHash,
      requestFingerprint: ids.fingerprint,
    },
  });
}

async function publishAndRespond(
  deps: CreateOrderDeps,
  keyHash: string,
  record: IdempotencyRecord,
): Promise<CreateOrderResponse> {
  try {
    await deps.producer.publish(OrderPlaced, record.event);
  } catch (err) {
    await deps.idempotency.release(keyHash).catch(() => undefined);
    throw err;
  }
  // Write-through: the projector applies the same event again later, which is a no-op.
  await deps.store.apply(record.event);
  await waitForParams(deps, record.event.orderId);
  const response = await respond(deps, record.event.orderId);
  await deps.idempotency.complete(keyHash, { ...record, state: 'done', response });
  return response;
}

/** A retry or a concurrent twin: replay the stored response, or wait for the first request to finish. */
async function followExisting(
  deps: CreateOrderDeps,
  keyHash: string,
  first: IdempotencyRecord,
): Promise<CreateOrderResponse> {
  let record: IdempotencyRecord | undefined = first;
  const deadline = deps.now() + deps.paymentWaitMs + LEASE_MS;
  while (record && record.state === 'pending') {
    if (record.leaseUntil < deps.now()) return publishAndRespond(deps, keyHash, record); // the first request died
    if (deps.now() > deadline) break;
    await sleep(50);
    record = await deps.idempotency.get(keyHash);
  }
  if (record?.response) return record.response as CreateOrderResponse;
  throw new ApiError(
    'IDEMPOTENCY_IN_PROGRESS',
    'a request with this Idempotency-Key is still in progress; retry shortly',
    undefined,
    {
      'retry-after': '1',
    },
  );
}

async function waitForParams(deps: CreateOrderDeps, orderId: string): Promise<void> {
  const deadline = deps.now() + deps.paymentWaitMs;
  while (deps.now() < deadline) {
    // Ready means both: the parameters are cached and the view has seen PaymentPrepared (PAYABLE).
    const facts = await deps.store.get(orderId);
    if (facts?.failed || facts?.closed) return;
    if (facts?.prepared && (await deps.readParams(orderId))) return;
    await sleep(50);
  }
}

async function respond(deps: CreateOrderDeps, orderId: string): Promise<CreateOrderResponse> {
  const facts = await deps.store.get(orderId);
  const order = facts && toView(facts);
  if (!order) throw new Error(`order ${orderId} vanished from the store`);
  const params =
    order.status === 'PAYABLE' || order.status === 'PLACED' ? await deps.readParams(orderId) : undefined;
  return {
    statusCode: 201,
    body: { order, payment: params && !order.cancelRequested ? params.params : null },
  };
}

const keyReused = () =>
  new ApiError(
    'IDEMPOTENCY_KEY_REUSED',
    'this Idempotency-Key was already used with a different request body',
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const newRequestId = (): string => randomUUID();
