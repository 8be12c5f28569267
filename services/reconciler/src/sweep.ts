import type { Logger } from '@wxpay-saga/observability';
import type { ActionDeps } from './actions.js';
import { alignTimers } from './handlers.js';

/**
 * Convergence without a person: every open order must have an expiry timer and a query (or cancel)
 * timer. A crash between steps or a Redis loss can leave one without; the sweep finds and re-arms it.
 */
export async function sweep(d: ActionDeps, logger: Logger): Promise<number> {
  let rearmed = 0;
  for await (const ids of d.timers.openOrders()) {
    for (const orderId of ids) {
      const facts = await d.store.get(orderId);
      if (!facts?.placed) {
        await d.timers.markClosed(orderId);
        continue;
      }
      const [expire, query, cancel] = await Promise.all([
        d.timers.has(orderId, 'expire'),
        d.timers.has(orderId, 'query'),
        d.timers.has(orderId, 'cancel'),
      ]);
      if (expire && (query || cancel)) continue;
      await alignTimers(d, facts);
      rearmed++;
    }
  }
  if (rearmed > 0) logger.warn({ rearmed }, 'sweep re-armed open orders without timers');
  return rearmed;
}
