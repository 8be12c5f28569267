export { ConfigError, type ConfigProblem } from './errors.js';
export { parseConfig, loadConfig, orExit, type Env, type LoadOptions } from './parse.js';
export * as fields from './fields.js';
export { commonEnv, kafkaEnv, redisEnv, type CommonEnv, type KafkaEnv, type RedisEnv } from './shared.js';
