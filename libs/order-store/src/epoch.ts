import { randomBytes } from 'node:crypto';
import type { Redis } from '@wxpay-saga/redis';

export interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface EpochProjection {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The current consumer group suffix; a new one means the projection was rebuilt from the log. */
  epoch(): string | undefined;
}

/**
 * A projection whose state lives in Redis must be rebuilt from the event log when Redis loses it.
 * The projection keeps an epoch marker next to its state; the consumer group name includes the epoch.
 * If the marker is missing (Redis was flushed or replaced), a new epoch — hence a new consumer group
 * that reads every topic from the beginning — replays the whole log into the empty store. The merge is
 * idempotent, so replaying over surviving state is harmless. Checked at start and every `checkMs`.
 */
export function createEpochProjection(opts: {
  redis: Redis;
  markerKey: string;
  build: (epoch: string) => Startable;
  checkMs?: number;
  onRebuild?: (epoch: string) => void;
}): EpochProjection {
  let current: { epoch: string; runner: Startable } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let switching: Promise<void> | undefined;

  const ensure = async () => {
    const marker = await opts.redis.get(opts.markerKey);
    if (marker && marker === current?.epoch) return;
    let epoch = marker;
    if (!epoch) {
      const fresh = randomBytes(4).toString('hex');
      await opts.redis.set(opts.markerKey, fresh, 'NX');
      epoch = (await opts.redis.get(opts.markerKey)) ?? fresh;
      if (current) opts.onRebuild?.(epoch);
    }
    if (current?.epoch === epoch) return;
    const previous = current;
    const runner = opts.build(epoch);
    current = { epoch, runner };
    await previous?.runner.stop();
    await runner.start();
  };

  const tick = () => {
    switching ??= ensure()
      .catch(() => undefined)
      .finally(() => (switching = undefined));
  };

  return {
    async start() {
      await ensure();
      timer = setInterval(tick, opts.checkMs ?? 2000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await switching;
      await current?.runner.stop();
    },
    epoch: () => current?.epoch,
  };
}
