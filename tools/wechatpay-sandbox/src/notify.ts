/**
 * Notification delivery (§6): real HTTP POSTs to the notify_url, success only on 200/204 within the
 * deadline (5 s), otherwise retries on the §6.4 schedule scaled by timeFactor. Every POST is recorded in
 * the order's ledger. Notify faults (drop, duplicate, delay, reorder, badSignature, probe) shape the first
 * send; retries are always correct.
 */
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '@wxpay-saga/observability';
import type { SandboxSettings } from './context.js';
import { buildEnvelope, type EnvelopeSpec } from './envelope.js';
import type { FaultStore, NotifyFaultKind } from './faults.js';
import { rfc3339 } from './ids.js';
import type { MerchantRegistry, PlatformKeys } from './merchants.js';
import { pickSigningKey, signatureHeaders, type SignatureVariant } from './signing.js';
import type { AttemptKind, DeliveryRecord, OrderRecord, SandboxState } from './state.js';
import type { Timers } from './timers.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
/**
 * §6.4: 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h (24h4m). These are 15 gaps, so we send the
 * first notification plus 15 retries = 16 POSTs. The doc's "最大发送次数(15次)" could mean 15 in all; that
 * is UNCONFIRMED, and the extra send only makes a merchant bug show up later, never hides one.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  15 * S,
  15 * S,
  30 * S,
  3 * M,
  10 * M,
  20 * M,
  30 * M,
  30 * M,
  30 * M,
  60 * M,
  3 * H,
  3 * H,
  3 * H,
  6 * H,
  6 * H,
];

export interface NotifierDeps {
  readonly state: SandboxState;
  readonly merchants: MerchantRegistry;
  readonly platform: PlatformKeys;
  readonly settings: SandboxSettings;
  readonly faults: FaultStore;
  readonly timers: Timers;
  readonly logger: Logger;
  /** Sandbox clock: signature timestamps and create_time. Scheduling uses the wall clock (real timers). */
  readonly now: () => number;
}

interface SendResult {
  readonly status: number | null;
  readonly error?: string;
}

export class Notifier {
  private readonly inflight = new Set<http.ClientRequest>();
  /** Releases of notifications held back by a `reorder` fault. */
  private held: Array<() => void> = [];
  private closed = false;
  /** Bumped by reset(): callbacks scheduled before a reset do nothing. */
  private generation = 0;

  constructor(private readonly d: NotifierDeps) {}

  /** Encrypts, records and starts delivering one notification for `order`. */
  notify(order: OrderRecord, url: string, spec: EnvelopeSpec): DeliveryRecord {
    const merchant = this.d.merchants.byMchid(order.mchid);
    if (!merchant) throw new Error(`no merchant ${order.mchid} for a notification`);
    const { id, body } = buildEnvelope(spec, merchant.apiV3Key, this.d.now());
    const rule = this.d.faults.take('notify');
    const fault = rule?.kind as NotifyFaultKind | undefined;
    const delivery: DeliveryRecord = {
      notificationId: id,
      event_type: spec.event_type,
      url,
      createdAt: rfc3339(this.d.now()),
      ...(fault ? { fault } : {}),
      outcome: 'pending',
      retries: 0,
      attempts: 0,
      body,
    };
    order.deliveries.push(delivery);
    if (rule) this.d.state.stats.faultsApplied += 1;
    this.d.state.changed();
    if (fault === 'drop') {
      delivery.outcome = 'dropped';
      this.d.state.stats.notifications.dropped += 1;
    } else if (fault === 'reorder') {
      this.hold(order, delivery, rule?.ms ?? 5000);
    } else {
      this.schedule(delivery, fault === 'delay' ? (rule?.ms ?? 1000) : 0, () =>
        this.first(order, delivery, fault),
      );
    }
    return delivery;
  }

  /** After a restart from a state file: continue every delivery that was still pending. */
  resume(): void {
    for (const order of this.d.state.allOrders()) {
      for (const delivery of order.deliveries) {
        if (delivery.outcome !== 'pending') continue;
        const wait = Math.max(0, (delivery.nextAttemptAtMs ?? 0) - Date.now());
        this.schedule(delivery, wait, () =>
          delivery.attempts === 0 ? this.first(order, delivery, undefined) : this.retry(order, delivery),
        );
      }
    }
  }

  /** Aborts in-flight POSTs; the timers themselves belong to (and are closed by) the Timers registry. */
  close(): void {
    this.closed = true;
    for (const req of this.inflight) req.destroy(new Error('sandbox closed'));
    this.inflight.clear();
    this.held = [];
  }

  /** `/__sandbox/reset`: forget every pending delivery (their orders are gone). */
  reset(): void {
    this.generation += 1;
    for (const req of this.inflight) req.destroy(new Error('sandbox reset'));
    this.inflight.clear();
    this.held = [];
  }

  private schedule(delivery: DeliveryRecord, ms: number, run: () => Promise<void>): void {
    delivery.nextAttemptAtMs = Date.now() + ms;
    const generation = this.generation;
    this.d.timers.after(ms, () => {
      if (generation !== this.generation) return;
      run().catch((err: unknown) => this.d.logger.error({ err }, 'notification delivery failed'));
    });
  }

  /** `reorder`: held until the next notification's first send is done, or `ms` elapsed. */
  private hold(order: OrderRecord, delivery: DeliveryRecord, ms: number): void {
    let released = false;
    const generation = this.generation;
    const release = () => {
      if (released || generation !== this.generation) return;
      released = true;
      cancel();
      this.held = this.held.filter((r) => r !== release);
      this.schedule(delivery, 0, () => this.first(order, delivery, undefined));
    };
    const cancel = this.d.timers.after(ms, release);
    delivery.nextAttemptAtMs = Date.now() + ms;
    this.held.push(release);
  }

  private async first(
    order: OrderRecord,
    delivery: DeliveryRecord,
    fault: NotifyFaultKind | undefined,
  ): Promise<void> {
    // §5: a probe is never a valid signature; the correct send follows straight after, whatever the answer.
    if (fault === 'probe') await this.post(order, delivery, 'probe', 'probe');
    const bad = fault === 'badSignature';
    let delivered = await this.post(order, delivery, bad ? 'badSignature' : 'initial', bad ? 'bad' : 'valid');
    if (fault === 'duplicate')
      delivered = (await this.post(order, delivery, 'duplicate', 'valid')) || delivered;
    const held = this.held;
    this.held = [];
    for (const release of held) release();
    this.settle(order, delivery, delivered);
  }

  private async retry(order: OrderRecord, delivery: DeliveryRecord): Promise<void> {
    delivery.retries += 1;
    this.settle(order, delivery, await this.post(order, delivery, 'retry', 'valid'));
  }

  /** False once the sandbox closed or a reset dropped the order this delivery belongs to. */
  private live(order: OrderRecord): boolean {
    return !this.closed && this.d.state.order(order.mchid, order.out_trade_no) === order;
  }

  private settle(order: OrderRecord, delivery: DeliveryRecord, delivered: boolean): void {
    if (!this.live(order)) return;
    const stats = this.d.state.stats.notifications;
    if (delivered || delivery.retries >= RETRY_SCHEDULE_MS.length) {
      delivery.outcome = delivered ? 'delivered' : 'exhausted';
      delete delivery.nextAttemptAtMs;
      if (delivered) stats.delivered += 1;
      else stats.exhausted += 1;
      this.d.state.changed();
      return;
    }
    const wait = RETRY_SCHEDULE_MS[delivery.retries]! * this.d.settings.timeFactor;
    this.schedule(delivery, wait, () => this.retry(order, delivery));
    this.d.state.changed();
    this.d.logger.debug(
      { notificationId: delivery.notificationId, retry: delivery.retries + 1, waitMs: wait },
      'notification retry scheduled',
    );
  }

  private async post(
    order: OrderRecord,
    delivery: DeliveryRecord,
    kind: AttemptKind,
    variant: SignatureVariant,
  ): Promise<boolean> {
    if (!this.live(order)) return false;
    const { keyMode, notifyKey } = this.d.settings;
    const signer = pickSigningKey(
      this.d.platform,
      keyMode,
      notifyKey === 'certificate' ? this.d.platform.certSerial : this.d.platform.publicKeyId,
    );
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'Mozilla/4.0',
      ...signatureHeaders(signer, delivery.body, this.d.now(), variant),
    };
    const started = Date.now();
    const attempt = ++delivery.attempts;
    const result = await this.send(delivery.url, headers, delivery.body);
    if (!this.live(order)) return false;
    order.notifications.push({
      notificationId: delivery.notificationId,
      attempt,
      at: new Date(started).toISOString(),
      kind,
      status: result.status,
      ...(result.error !== undefined ? { error: result.error } : {}),
      durationMs: Date.now() - started,
    });
    this.d.state.stats.notifications.attempts += 1;
    this.d.state.changed();
    return result.error === undefined && (result.status === 200 || result.status === 204);
  }

  /** One POST without keep-alive; no answer (status and body) within the deadline counts as a failure. */
  private send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const timeoutMs = this.d.settings.notifyTimeoutMs;
    return new Promise((resolve) => {
      let done = false;
      let status: number | null = null;
      const finish = (r: SendResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.inflight.delete(req);
        resolve(r);
      };
      const target = new URL(url);
      const request = target.protocol === 'https:' ? https.request : http.request;
      const req = request(
        target,
        {
          method: 'POST',
          agent: false,
          headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          status = res.statusCode ?? null;
          res.on('error', (err) => finish({ status, error: err.message }));
          res.on('end', () => finish({ status }));
          res.resume();
        },
      );
      const timer = setTimeout(
        () => req.destroy(new Error(`no complete answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      req.on('error', (err) => finish({ status, error: err.message }));
      req.on('close', () => finish({ status, error: 'connection closed before the answer completed' }));
      this.inflight.add(req);
      req.end(body);
    });
  }
}
