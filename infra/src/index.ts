export { startKafka, ensureKafkaJars, INFRA_DIR, type KafkaHandle, type StartKafkaOptions } from './kafka.js';
export { startRedis, redisPing, findRedisServer, type RedisHandle } from './redis.js';
export { freePort, isListening, portPreferring, waitFor, sleep } from './net.js';
export { startProcess, stopPid, pidAlive, tailFile, type ManagedProcess } from './process.js';
export { readRunState, writeRunState, RUN_DIR, type RunState } from './state.js';
export { spawnTs, REPO_ROOT, type SpawnedTs } from './spawn.js';
