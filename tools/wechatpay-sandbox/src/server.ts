/** startSandbox: key material, state, stores and the app wired together, listening; close() stops it all. */
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '@wxpay-saga/observability';
import { buildSandboxApp } from './app.js';
import { loadMerchantsConfig } from './config.js';
import type { SandboxSettings } from './context.js';
import { FaultStore } from './faults.js';
import { DEFAULT_KEY_DIR, ensureDevKeys } from './keys.js';
import {
  MerchantRegistry,
  loadDevMaterial,
  merchantEnv,
  publicInfo,
  type KeyMode,
  type MerchantPublicInfo,
} from './merchants.js';
import { Notifier } from './notify.js';
import { StatePersister, loadState } from './persist.js';
import { RefundProcessor } from './refund-processor.js';
import { Timers } from './timers.js';
import { MAX_CLOCK_SKEW_SECONDS } from '@wxpay-saga/wechatpay';

export interface SandboxOptions {
  host?: string;
  port?: number;
  keyDir?: string;
  keyMode?: KeyMode;
  timeFactor?: number;
  strictTimeExpire?: boolean;
  allowLoopbackNotify?: boolean;
  /** Also accept plain-http notify URLs on these host names (e.g. `notify-gateway` in compose). */
  allowHttpNotifyHosts?: readonly string[];
  closePaidBehavior?: 'error' | 'succeed';
  stateFile?: string;
  logger?: Logger;
  now?: () => number;
  /** SANDBOX_CONFIG: extra merchants or an override of the dev merchant. */
  configFile?: string;
  /** Receiver deadline per notification POST; default 5000 (§6.4). */
  notifyTimeoutMs?: number;
  /** Request timestamp window in seconds; default 300 (§4, UNCONFIRMED). */
  maxSkewSeconds?: number;
  /** Which key signs notifications in `both` mode; default 'publicKey'. */
  notifyKey?: 'publicKey' | 'certificate';
  /** Refund PROCESSING → SUCCESS delay before timeFactor; default 5000. */
  refundDelayMs?: number;
}

export interface RunningSandbox {
  readonly url: string;
  readonly port: number;
  env(): Record<string, string>;
  merchant(): MerchantPublicInfo;
  close(): Promise<void>;
}

function settingsFrom(opts: SandboxOptions): SandboxSettings {
  return {
    keyMode: opts.keyMode ?? 'publicKey',
    timeFactor: opts.timeFactor ?? 1,
    strictTimeExpire: opts.strictTimeExpire ?? true,
    allowLoopbackNotify: opts.allowLoopbackNotify ?? false,
    allowHttpNotifyHosts: (opts.allowHttpNotifyHosts ?? []).map((h) => h.toLowerCase()),
    closePaidBehavior: opts.closePaidBehavior ?? 'error',
    maxSkewSeconds: opts.maxSkewSeconds ?? MAX_CLOCK_SKEW_SECONDS,
    notifyTimeoutMs: opts.notifyTimeoutMs ?? 5000,
    notifyKey: opts.notifyKey ?? 'publicKey',
    refundDelayMs: opts.refundDelayMs ?? 5000,
  };
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  const logger = opts.logger ?? createLogger({ service: 'wechatpay-sandbox', level: 'warn' });
  const material = loadDevMaterial(ensureDevKeys(opts.keyDir ?? DEFAULT_KEY_DIR));
  const extra = opts.configFile ? loadMerchantsConfig(opts.configFile) : [];
  const merchants = new MerchantRegistry([material.merchant, ...extra], material.config.mchid);
  const settings = settingsFrom(opts);
  const state = loadState(opts.stateFile);
  const persister = new StatePersister(state, opts.stateFile, logger);
  state.onChange(() => persister.schedule());
  const now = opts.now ?? Date.now;
  const timers = new Timers();
  const faults = new FaultStore();
  const platform = material.platform;
  const notifier = new Notifier({ state, merchants, platform, settings, faults, timers, logger, now });
  const refunds = new RefundProcessor({ state, notifier, timers, logger, now });
  const app = buildSandboxApp(state, {
    settings,
    merchants,
    platform,
    faults,
    notifier,
    refunds,
    timers,
    logger,
    now,
  });
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port ?? 8090 });
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  notifier.resume();
  refunds.resume();
  logger.info(
    { url, keyMode: settings.keyMode, keyDir: material.paths.keyDir, mchid: material.config.mchid },
    'wechatpay sandbox listening',
  );
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    env: () => merchantEnv(material, settings.keyMode, url),
    merchant: () => publicInfo(merchants.default, platform, settings.keyMode),
    close: () =>
      (closing ??= (async () => {
        timers.close();
        notifier.close();
        await app.close();
        persister.close();
      })()),
  };
}
