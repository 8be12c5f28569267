export {
  createRedis,
  connectRedis,
  openRedis,
  redisHealthCheck,
  safeUrl,
  type Redis,
  type RedisClientOptions,
} from './client.js';
export { keySpace, type KeySpace } from './keys.js';
