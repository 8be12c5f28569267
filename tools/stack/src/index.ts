export { startStack, type RunningStack, type StackOptions, type StackUrls } from './stack.js';
export { SERVICES, DEFAULT_PORTS, PORT_VARIABLE, type ServiceName } from './services.js';
export { MiniProgram } from './mini-program.js';
export {
  sandboxClient,
  type SandboxClient,
  type FaultRule,
  type RequestPaymentArgs,
} from './sandbox-client.js';
export { requestJson, type JsonResponse } from './http.js';
export { findRunningStack, type RunningStackInfo } from './running.js';
export {
  checkLedger,
  compareOrder,
  type Discrepancy,
  type LedgerEntry,
  type LedgerReport,
} from './ledger.js';
export type * from './api-types.js';
