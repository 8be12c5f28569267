/** What every route module receives: settings, key material, stores and the clock (one typed object). */
import type { Logger } from '@wxpay-saga/observability';
import type { FaultStore } from './faults.js';
import type { KeyMode, MerchantRegistry, PlatformKeys } from './merchants.js';
import type { Notifier } from './notify.js';
import type { RefundProcessor } from './refund-processor.js';
import type { SandboxState } from './state.js';
import type { Timers } from './timers.js';

export interface SandboxSettings {
  readonly keyMode: KeyMode;
  readonly timeFactor: number;
  readonly strictTimeExpire: boolean;
  readonly allowLoopbackNotify: boolean;
  /** Host names (lower case) whose plain-http notify URLs are accepted, e.g. compose service names. */
  readonly allowHttpNotifyHosts: readonly string[];
  readonly closePaidBehavior: 'error' | 'succeed';
  /** Request timestamp window, seconds (§4: UNCONFIRMED; 300 like §5). */
  readonly maxSkewSeconds: number;
  /** A receiver must answer within this (§6.4: 5 s). */
  readonly notifyTimeoutMs: number;
  /** Which platform key signs notifications in `both` mode (§2.8: callbacks move to the public key). */
  readonly notifyKey: 'publicKey' | 'certificate';
  /** Refund PROCESSING → SUCCESS after this many ms (before timeFactor). */
  readonly refundDelayMs: number;
}

export interface SandboxDeps {
  readonly settings: SandboxSettings;
  readonly merchants: MerchantRegistry;
  readonly platform: PlatformKeys;
  readonly faults: FaultStore;
  readonly notifier: Notifier;
  readonly refunds: RefundProcessor;
  readonly timers: Timers;
  readonly logger: Logger;
  /** Epoch ms; injectable for tests. */
  readonly now: () => number;
}

export interface Sandbox extends SandboxDeps {
  readonly state: SandboxState;
}
