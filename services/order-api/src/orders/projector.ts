import { ORDER_LIFECYCLE, OrderCloseRequested } from '@wxpay-saga/contracts';
import {
  createConsumerRunner,
  subscribe,
  type EventProducer,
  type Kafka,
  type Subscription,
} from '@wxpay-saga/messaging';
import type { Counter, Logger } from '@wxpay-saga/observability';
import type { OrderStore } from '@wxpay-saga/order-store';
import type { OrderEvent } from '@wxpay-saga/orders';

/** Every event that changes what an order looks like; each is merged into the view store. */
export function viewSubscriptions(
  store: OrderStore,
  transitions: Counter<'to'>,
  log: Logger,
): Subscription[] {
  const apply = async (event: OrderEvent) => {
    const r = await store.apply(event);
    if (r.after && r.after !== r.before) {
      transitions.inc({ to: r.after });
      log.info(
        { orderId: event.orderId, from: r.before ?? null, to: r.after, eventType: event.type },
        'order status changed',
      );
    }
  };
  return [...ORDER_LIFECYCLE, OrderCloseRequested].map((def) => subscribe(def, (e) => apply(e)));
}

/** The order-view projection as a consumer group whose name carries the projection epoch. */
export function buildViewRunner(deps: {
  kafka: Kafka;
  producer: EventProducer;
  logger: Logger;
  groupPrefix: string;
  topicPrefix: string;
  epoch: string;
  subscriptions: Subscription[];
}) {
  return createConsumerRunner({
    kafka: deps.kafka,
    producer: deps.producer,
    logger: deps.logger,
    groupId: `${deps.groupPrefix}.order-api.view.${deps.epoch}`,
    topicPrefix: deps.topicPrefix,
    subscriptions: deps.subscriptions,
    partitionsConsumedConcurrently: 4,
    fromBeginning: true,
  });
}
