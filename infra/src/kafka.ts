import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, isListening, waitFor } from './net.js';
import { startProcess, tailFile, type ManagedProcess } from './process.js';

export const INFRA_DIR = fileURLToPath(new URL('..', import.meta.url));
const KAFKA_DIR = path.join(INFRA_DIR, 'kafka');
const LIB_DIR = path.join(KAFKA_DIR, 'target', 'lib');
/** Fixed so a restarted broker recognises its own data dir; any 22-char base64url id would do. */
const CLUSTER_ID = '5L6g3nShT-eMCtK--X86sw';
const TOOL_OPTS = ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];
/** Small heap and serial GC for a 2-core machine; C1 only for a faster start. */
const BROKER_OPTS = [
  '-Xms256m',
  '-Xmx512m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.awt.headless=true',
];

/** Fetches the broker jars from Maven Central once; later calls reuse infra/kafka/target/lib. */
export function ensureKafkaJars(log: (line: string) => void = () => {}): string {
  const marker = path.join(LIB_DIR, '.complete');
  const pom = path.join(KAFKA_DIR, 'pom.xml');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(pom).mtimeMs) return LIB_DIR;
  log('fetching Kafka broker jars with Maven (first run only)…');
  execFileSync('mvn', ['-B', '-q', '-ntp', '-Dstyle.color=never', '-f', pom, 'package'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  fs.writeFileSync(marker, new Date().toISOString());
  return LIB_DIR;
}

export interface KafkaHandle {
  readonly brokers: string;
  readonly port: number;
  readonly dir: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

export interface StartKafkaOptions {
  port?: number;
  /** Keep the broker running after this process exits (for `npm run infra:up`). */
  detached?: boolean;
  log?: (line: string) => void;
  readyTimeoutMs?: number;
}

/** Formats a fresh KRaft data dir and starts a single combined broker+controller on 127.0.0.1. */
export async function startKafka(opts: StartKafkaOptions = {}): Promise<KafkaHandle> {
  const lib = ensureKafkaJars(opts.log);
  const port = opts.port ?? (await freePort());
  const controllerPort = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-kafka-'));
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  const props = fs
    .readFileSync(path.join(KAFKA_DIR, 'server.properties'), 'utf8')
    .replaceAll('@LOG_DIR@', dataDir)
    .replaceAll('@CONTROLLER_PORT@', String(controllerPort))
    .replaceAll('@PORT@', String(port));
  const propsFile = path.join(dir, 'server.properties');
  fs.writeFileSync(propsFile, props);
  const cp = `${lib}/*`;
  const log4j = `-Dlog4j2.configurationFile=${path.join(KAFKA_DIR, 'log4j2.properties')}`;
  execFileSync(
    'java',
    [...TOOL_OPTS, log4j, '-cp', cp, 'kafka.tools.StorageTool', 'format', '-t', CLUSTER_ID, '-c', propsFile],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const logFile = path.join(dir, 'kafka.log');
  const proc = startProcess('java', [...BROKER_OPTS, log4j, '-cp', cp, 'kafka.Kafka', propsFile], {
    logFile,
    detached: opts.detached ?? false,
  });
  // The broker opens its client port only once it is unfenced and can serve requests
  // (SocketServer defers the acceptor), so a TCP probe is a sound readiness test.
  await waitFor('Kafka', () => isListening(port), {
    timeoutMs: opts.readyTimeoutMs ?? 90_000,
    alive: proc.alive,
    onFail: () => tailFile(logFile),
  });
  const stop = async () => {
    await proc.stop(20_000);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { brokers: `127.0.0.1:${port}`, port, dir, process: proc, stop };
}
