/**
 * Refund settlement (§2.5, §6.3): a refund is accepted as PROCESSING and, after a delay scaled by
 * timeFactor, becomes SUCCESS; the order's trade_state turns REFUND and, if the refund named a notify_url,
 * a REFUND.SUCCESS notification goes out.
 */
import type { Logger } from '@wxpay-saga/observability';
import { REFUND_NOTIFICATION } from './envelope.js';
import type { Notifier } from './notify.js';
import type { RefundRecord, SandboxState } from './state.js';
import type { Timers } from './timers.js';
import { refundNotificationView } from './views.js';

export interface RefundProcessorDeps {
  readonly state: SandboxState;
  readonly notifier: Notifier;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly now: () => number;
}

export class RefundProcessor {
  constructor(private readonly d: RefundProcessorDeps) {}

  /** `refund.dueMs` is wall-clock ms (timers are real); see RefundRecord. */
  schedule(refund: RefundRecord): void {
    this.d.timers.after(Math.max(0, refund.dueMs - Date.now()), () => this.settle(refund));
  }

  /** After a restart from a state file: finish the refunds that were still processing. */
  resume(): void {
    for (const refund of this.d.state.allRefunds()) if (refund.status === 'PROCESSING') this.schedule(refund);
  }

  private settle(refund: RefundRecord): void {
    // A reset (or a reload) may have replaced the record: only the live one settles.
    if (refund.status !== 'PROCESSING' || this.d.state.refund(refund.mchid, refund.out_refund_no) !== refund)
      return;
    refund.status = 'SUCCESS';
    refund.successMs = this.d.now();
    const order = this.d.state.order(refund.mchid, refund.out_trade_no);
    if (order) order.trade_state = 'REFUND';
    this.d.state.changed();
    this.d.logger.debug({ outRefundNo: refund.out_refund_no }, 'refund succeeded');
    if (order && refund.notify_url) {
      this.d.notifier.notify(order, refund.notify_url, {
        ...REFUND_NOTIFICATION,
        plaintext: refundNotificationView(refund),
      });
    }
  }
}
