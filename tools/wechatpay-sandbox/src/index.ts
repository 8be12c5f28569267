/** A local WeChat Pay v3 + mini-program login server with fault injection (see README.md). */
export { startSandbox, type RunningSandbox, type SandboxOptions } from './server.js';
export {
  ensureDevKeys,
  devKeyPaths,
  readDevKeyConfig,
  DEFAULT_KEY_DIR,
  type DevKeyPaths,
  type DevKeyConfig,
} from './keys.js';
export { loadDevMaterial, merchantEnv, type KeyMode, type MerchantPublicInfo } from './merchants.js';
export { buildSandboxApp } from './app.js';
export { RETRY_SCHEDULE_MS } from './notify.js';
export { API_ERRORS, LOGIN_ERRORS, PAY_FAIL_REASONS, type ApiErrorCode } from './errors.js';
export type { FaultRuleInput } from './faults.js';
