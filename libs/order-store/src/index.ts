export { sagaKeys, type SagaKeys } from './keys.js';
export { createOrderStore, type OrderStore, type MergeResult, type HistoryEntry } from './store.js';
export { createEpochProjection, type EpochProjection, type Startable } from './epoch.js';
export { PaymentParamsRecord, createParamsStore, type ParamsStore } from './params.js';
