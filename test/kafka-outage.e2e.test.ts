/**
 * Kafka down when WeChat's notification arrives (issue 4): the gateway answers non-2xx within WeChat's
 * 5-second budget (§6.4), so WeChat retries; after Kafka recovers, a retry makes the order PAID.
 * This file runs its own broker (frozen with SIGSTOP, thawed with SIGCONT) so other files are unaffected.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, type KafkaHandle } from '@wxpay-saga/infra';
import { eventually } from '@wxpay-saga/testing';
import { useStack } from './support/stack.js';

let kafka: KafkaHandle;
beforeAll(async () => {
  kafka = await startKafka();
});
const t = useStack('kafka-outage', {
  kafkaBrokers: () => kafka.brokers,
  // 0.2: WeChat's 15 s / 15 s / 30 s retries arrive after 3 s / 3 s / 6 s.
  sandboxEnv: { SANDBOX_TIME_FACTOR: '0.2' },
  env: { RECONCILE_QUERY_LADDER_SECONDS: '3600' },
});
afterAll(async () => {
  if (kafka) process.kill(kafka.process.pid, 'SIGCONT');
  await kafka?.stop();
});

describe('Kafka outage during a notification', () => {
  it('is answered non-2xx in time, and WeChat’s retry makes the order PAID after recovery', async () => {
    const mp = await t.newUser();
    const placed = await mp.placeOrder([{ sku: 'BEANS-250G', quantity: 1 }], crypto.randomUUID());
    const id = placed.body.order.id;
    const params = placed.body.payment ?? (await mp.paymentWhenReady(id)).body;

    process.kill(kafka.process.pid, 'SIGSTOP');
    try {
      expect((await mp.pay(params)).errMsg).toBe('requestPayment:ok');
      const failedAttempt = await eventually(
        async () => {
          const l = (await t.sandbox.transaction(id))!;
          return (l.notifications ?? []).find(
            (n: { status: number | null }) => n.status !== null && n.status >= 500,
          );
        },
        { what: 'a non-2xx notification answer', timeoutMs: 20_000 },
      );
      expect(failedAttempt.status).toBe(503);
      expect(failedAttempt.durationMs).toBeLessThan(5000);
    } finally {
      process.kill(kafka.process.pid, 'SIGCONT');
    }
    const paid = await eventually(
      async () => {
        const r = await mp.order(id);
        return r.status === 200 && r.body.status === 'PAID' ? r.body : undefined;
      },
      { what: 'PAID after recovery', timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(paid.transaction!.confirmedBy).toBe('NOTIFICATION');
    // The send that timed out may still complete once Kafka thaws (a harmless duplicate); either way
    // WeChat keeps retrying until one attempt is answered 204.
    const attempts = await eventually(
      async () => {
        const a = (await t.sandbox.transaction(id))!.notifications as { status: number | null }[];
        return a.some((x) => x.status === 204 || x.status === 200) ? a : undefined;
      },
      { what: 'a 204 for a retry', timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(attempts.findIndex((a) => a.status === 503)).toBeLessThan(
      attempts.findIndex((a) => a.status === 204 || a.status === 200),
    );
  });
});
