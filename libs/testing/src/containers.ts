/**
 * Kafka and Redis as containers, from the project's own images (infra/containers/prepare.sh builds them
 * on Podman; `docker compose build kafka redis` with Docker), for one test file at a time.
 *
 * Every container: a unique name, ports published on 127.0.0.1 only, a label naming the test run so the
 * global teardown removes whatever a crashed worker left behind (the Ryuk reaper is off on Podman).
 */
import { randomBytes } from 'node:crypto';
import { RedisContainer } from '@testcontainers/redis';
import {
  GenericContainer,
  ImageName,
  Wait,
  getContainerRuntimeClient,
  type StartedTestContainer,
} from 'testcontainers';
import { freePort, redisPing } from '@wxpay-saga/infra';
import type { Brokers } from './brokers.js';

export const KAFKA_IMAGE = process.env.TEST_KAFKA_IMAGE ?? 'localhost/wxpay-saga/kafka:latest';
export const REDIS_IMAGE = process.env.TEST_REDIS_IMAGE ?? 'localhost/wxpay-saga/redis:latest';
/** Containers of one `vitest run` carry this label with the run's id. */
export const RUN_LABEL = 'org.wxpay-saga.test-run';

export type RuntimeProbe =
  { readonly ok: true; readonly description: string } | { readonly ok: false; readonly reason: string };

/**
 * Is there a container runtime with the project's images? `getContainerRuntimeClient()` asks the runtime
 * itself (DOCKER_HOST, the Docker socket, …); the docker CLI being installed proves nothing here.
 */
export async function probeContainerRuntime(timeoutMs = 10_000): Promise<RuntimeProbe> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    const missing: string[] = [];
    for (const image of [KAFKA_IMAGE, REDIS_IMAGE]) {
      if (!(await client.image.exists(ImageName.fromString(image)))) missing.push(image);
    }
    if (missing.length > 0) {
      return {
        ok: false,
        reason: `image(s) ${missing.join(', ')} not built (run infra/containers/prepare.sh up, or docker compose build kafka redis)`,
      };
    }
    const { serverVersion, operatingSystem } = client.info.containerRuntime;
    return { ok: true, description: `${operatingSystem} ${serverVersion}` };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * testcontainers publishes mapped ports on every interface (its port bindings carry no HostIp). Test
 * traffic stays on loopback, so bind them to 127.0.0.1 just before the container is created.
 */
function publishOnLoopback(hostConfig: { PortBindings?: Record<string, { HostIp?: string }[]> }): void {
  for (const bindings of Object.values(hostConfig.PortBindings ?? {})) {
    for (const binding of bindings) binding.HostIp = '127.0.0.1';
  }
}

class LoopbackContainer extends GenericContainer {
  override async start(): Promise<StartedTestContainer> {
    publishOnLoopback(this.hostConfig);
    return super.start();
  }
}

/**
 * Why RedisContainer failed with ioredis (EPIPE / "Connection is closed"): RedisContainer replaces the
 * image's command with a bare `redis-server`, so Redis runs with its compiled-in defaults — protected mode
 * on, no password. The host's connection arrives through the port mapping from the bridge gateway (e.g.
 * 10.88.0.1), not from loopback, so Redis answers `-DENIED Redis is running in protected mode…` and closes
 * the socket; ioredis, still writing its first commands, sees EPIPE. (RESP3 is not the cause: Debian's
 * Redis 7.0 answers `HELLO 3`.) Docker Hub's redis image is built with protected mode off, which is why
 * RedisContainer works there. The fix: keep our image's config file (protected mode off inside the
 * container, port published on 127.0.0.1 only) by passing the command explicitly.
 */
class LoopbackRedisContainer extends RedisContainer {
  override async start() {
    publishOnLoopback(this.hostConfig);
    return super.start();
  }
}

const KAFKA_EXTERNAL_PORT = 9094;
const KAFKA_INTERNAL_PORT = 9092;

async function startKafkaContainer(name: string, labels: Record<string, string>) {
  // The broker must advertise an address the host can reach: 127.0.0.1 and the host port. That port has
  // to be known before the container starts, so pick a free one and bind it explicitly (retry if another
  // process takes it in between).
  for (let attempt = 1; ; attempt++) {
    const hostPort = await freePort();
    try {
      const container = await new LoopbackContainer(KAFKA_IMAGE)
        .withName(attempt === 1 ? name : `${name}-${attempt}`)
        .withLabels(labels)
        // 9092 is published too (unused, random loopback port) because of a Podman quirk: its Docker API
        // lists every port the image EXPOSEs in HostConfig.PortBindings, unpublished ones as null, and
        // testcontainers waits until each of those keys has a binding — forever, for an unpublished one.
        .withExposedPorts({ container: KAFKA_EXTERNAL_PORT, host: hostPort }, KAFKA_INTERNAL_PORT)
        .withEnvironment({
          KAFKA_EXTERNAL_ADVERTISED: `127.0.0.1:${hostPort}`,
          // Nobody reaches the in-network listener in a test; advertise something that resolves.
          KAFKA_INTERNAL_ADVERTISED: 'localhost:9092',
        })
        .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
        .withStartupTimeout(120_000)
        .start();
      return { container, brokers: `127.0.0.1:${hostPort}` };
    } catch (err) {
      const inUse = /address already in use|port is already allocated/i.test(String(err));
      if (!inUse || attempt >= 3) throw err;
    }
  }
}

async function startRedisContainer(name: string, labels: Record<string, string>) {
  const container = await new LoopbackRedisContainer(REDIS_IMAGE)
    .withName(name)
    .withLabels(labels)
    .withCommand(['redis-server', '/etc/redis/wxpay-saga.conf'])
    .withStartupTimeout(60_000)
    .start();
  const port = container.getPort();
  // The log line comes before the port mapping is usable on some runtimes: wait for a real PONG.
  const deadline = Date.now() + 20_000;
  while (!(await redisPing(port))) {
    if (Date.now() > deadline) throw new Error(`Redis container ${name} does not answer PING on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { container, url: `redis://127.0.0.1:${port}` };
}

/**
 * Starts a Kafka and a Redis container for one test file and returns their loopback addresses. If either
 * fails, whatever did start is removed before the error is thrown.
 */
export async function startContainerBrokers(opts: { label: string; runId: string }): Promise<Brokers> {
  const id = `${opts.label.replace(/[^a-z0-9]+/gi, '-').slice(0, 30)}-${randomBytes(3).toString('hex')}`;
  const labels = { [RUN_LABEL]: opts.runId };
  const [kafka, redis] = await Promise.allSettled([
    startKafkaContainer(`wxpay-test-kafka-${id}`.toLowerCase(), labels),
    startRedisContainer(`wxpay-test-redis-${id}`.toLowerCase(), labels),
  ]);
  const started = [kafka, redis].flatMap((r) => (r.status === 'fulfilled' ? [r.value.container] : []));
  const release = async () => {
    await Promise.all(started.map((c) => c.stop({ timeout: 5_000, remove: true, removeVolumes: true })));
  };
  if (kafka.status === 'rejected' || redis.status === 'rejected') {
    await release().catch(() => undefined);
    const reason: unknown =
      kafka.status === 'rejected' ? kafka.reason : (redis as PromiseRejectedResult).reason;
    throw reason instanceof Error ? reason : new Error(String(reason));
  }
  return { kafkaBrokers: kafka.value.brokers, redisUrl: redis.value.url, source: 'containers', release };
}

/** Removes every container of a test run (the global teardown: what a killed worker could not). */
export async function removeRunContainers(runId: string): Promise<number> {
  const { dockerode } = (await getContainerRuntimeClient()).container;
  const ours = await dockerode.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
  await Promise.all(ours.map((c) => dockerode.getContainer(c.Id).remove({ force: true, v: true })));
  return ours.length;
}
