/**
 * `npm run check:ledger`: compares the sandbox's ledger (WeChat's truth) with the order view of the running
 * stack (found through .run/stack.json, like `npm run demo`). Prints every discrepancy; exits 1 if any.
 */
import { createOrderStore, sagaKeys } from '@wxpay-saga/order-store';
import { createLogger } from '@wxpay-saga/observability';
import { connectRedis, createRedis, keySpace } from '@wxpay-saga/redis';
import { checkLedger } from './ledger.js';
import { findRunningStack } from './running.js';
import { sandboxClient } from './sandbox-client.js';

const graceMs = Number(process.env.LEDGER_GRACE_MS ?? 60_000);
try {
  const running = findRunningStack();
  const redis = createRedis({
    url: running.redisUrl,
    logger: createLogger({ service: 'check-ledger', level: 'warn' }),
    name: 'check-ledger',
  });
  await connectRedis(redis, running.redisUrl);
  const report = await checkLedger({
    sandbox: sandboxClient(running.urls.sandbox),
    view: createOrderStore(redis, sagaKeys(keySpace(running.keyPrefix))),
    graceMs,
  });
  await redis.quit();
  const c = report.counts;
  process.stdout.write(
    `checked ${c.orders} orders against ${c.transactions} WeChat transactions: PAID ${c.PAID}, CLOSED ${c.CLOSED}, FAILED ${c.FAILED}, open ${(c.PAYABLE ?? 0) + (c.PLACED ?? 0)}, paid-after-close ${c.paidAfterClose}, amount mismatches ${c.amountMismatch}\n`,
  );
  for (const d of report.discrepancies)
    process.stdout.write(`DISCREPANCY ${d.rule} ${d.orderId}: ${d.detail}\n`);
  process.stdout.write(
    report.discrepancies.length === 0
      ? 'OK: the order view agrees with the ledger\n'
      : `${report.discrepancies.length} discrepancies\n`,
  );
  process.exit(report.discrepancies.length === 0 ? 0 : 1);
} catch (err) {
  process.stderr.write(`check:ledger failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
