export { startLocalBrokers, type Brokers, type BrokerSource } from './brokers.js';
export { uniqueNames, type TestNames } from './names.js';
export { eventually, delay } from './wait.js';
export { testLogger } from './logger.js';
export { testKafka, readTopic, type ReadMessage } from './kafka.js';
export { spawnTs, REPO_ROOT, type SpawnedTs } from '@wxpay-saga/infra';
export { useBrokers, type FileBrokers } from './use-brokers.js';
export {
  startContainerBrokers,
  probeContainerRuntime,
  removeRunContainers,
  KAFKA_IMAGE,
  REDIS_IMAGE,
  type RuntimeProbe,
} from './containers.js';
