import type { KeySpace } from '@wxpay-saga/redis';

/**
 * Every Redis key the saga shares between services, in one place. `ks` carries REDIS_KEY_PREFIX; a
 * `namespace` separates independent projections of the same events (order-api's view, the reconciler's).
 */
export function sagaKeys(ks: KeySpace, namespace = 'view') {
  return {
    facts: (orderId: string) => ks.key(namespace, 'order', orderId),
    history: (orderId: string) => ks.key(namespace, 'history', orderId),
    userOrders: (openid: string) => ks.key(namespace, 'user-orders', openid),
    /** Signed wx.requestPayment parameters, written once by the payment worker. */
    paymentParams: (orderId: string) => ks.key('pay', 'params', orderId),
    /** The reconciler's answer to one sync request, read by order-api while it waits. */
    syncResult: (requestEventId: string) => ks.key('sync-result', requestEventId),
    projectionEpoch: (name: string) => ks.key('projection', name, 'epoch'),
    /** Set once when the paid-after-close alert for an order was published. */
    alerted: (orderId: string) => ks.key(namespace, 'alerted', orderId),
  };
}

export type SagaKeys = ReturnType<typeof sagaKeys>;
