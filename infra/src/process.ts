import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface ManagedProcess {
  readonly pid: number;
  readonly logFile: string;
  readonly alive: () => boolean;
  /** SIGTERM, wait up to `graceMs`, then SIGKILL. */
  readonly stop: (graceMs?: number) => Promise<void>;
}

/** Starts a process with stdout and stderr appended to `logFile`. `detached` lets it outlive us. */
export function startProcess(
  command: string,
  args: readonly string[],
  opts: { logFile: string; cwd?: string; env?: NodeJS.ProcessEnv; detached?: boolean },
): ManagedProcess {
  const out = fs.openSync(opts.logFile, 'a');
  const child: ChildProcess = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', out, out],
    detached: opts.detached ?? false,
  });
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  if (opts.detached) child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  const pid = child.pid;
  return {
    pid,
    logFile: opts.logFile,
    alive: () => !exited && pidAlive(pid),
    stop: (graceMs = 15_000) => stopPid(pid, graceMs),
  };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function stopPid(pid: number, graceMs = 15_000): Promise<void> {
  if (!pidAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
}

export function tailFile(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
