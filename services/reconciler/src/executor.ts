import type { Logger } from '@wxpay-saga/observability';
import { runClose, runQuery, type ActionDeps, type Outcome } from './actions.js';
import type { Journal } from './journal.js';
import type { OrderLocks } from './locks.js';
import type { DueTimer } from './timers.js';

export interface ExecutorDeps {
  readonly actions: ActionDeps;
  readonly locks: OrderLocks;
  readonly journal: Journal;
  readonly instance: string;
  readonly leaseMs: number;
  readonly tickMs: number;
  readonly logger: Logger;
  readonly onAction?: (kind: string, outcome: Outcome | 'error' | 'busy') => void;
}

/** Claims due timers every tick and runs each under its order's lock; bounded concurrency per tick. */
export function createExecutor(d: ExecutorDeps) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const runOne = async (t: DueTimer): Promise<void> => {
    const startedAt = Date.now();
    let outcome: Outcome | 'error' | 'busy' = 'error';
    try {
      const r = await d.locks.withLock(t.orderId, () =>
        t.kind === 'query'
          ? runQuery(d.actions, t.orderId, `timer:${t.member}`)
          : runClose(d.actions, t.orderId, t.kind, `timer:${t.member}`),
      );
      if (r.ran) outcome = r.value;
      else {
        // Another action (a sync, another instance) holds the order: try again shortly.
        outcome = 'busy';
        await d.actions.timers.reschedule(t.orderId, t.kind, Date.now() + 500);
      }
    } catch (err) {
      // Left claimed: the lease ends and the timer fires again.
      d.logger.error({ err, orderId: t.orderId, kind: t.kind }, 'timer action failed');
    } finally {
      d.onAction?.(t.kind, outcome);
      if (outcome !== 'busy') {
        await d.journal
          .record({
            orderId: t.orderId,
            action: t.kind,
            instance: d.instance,
            startedAt,
            endedAt: Date.now(),
            outcome,
          })
          .catch(() => undefined);
      }
    }
  };

  const tick = async () => {
    const due = await d.actions.timers.claimDue(Date.now(), d.leaseMs, 32);
    await Promise.all(due.map(runOne));
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((err: unknown) => d.logger.warn({ err }, 'timer tick failed'))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, d.tickMs);
  };

  return {
    start: () => schedule(),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
