/**
 * Optional persistence (SANDBOX_STATE_FILE): load at start, write on change, debounced. Writes go to a
 * temp file and are renamed over the target, so a crash mid-write never leaves a truncated state file.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@wxpay-saga/observability';
import { SandboxState, type PersistedState } from './state.js';

export function loadState(file: string | undefined): SandboxState {
  if (file === undefined || !fs.existsSync(file)) return new SandboxState();
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as PersistedState;
  if (data.version !== 1) throw new Error(`${file}: unsupported state version ${String(data.version)}`);
  return SandboxState.fromJSON(data);
}

export class StatePersister {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly state: SandboxState,
    private readonly file: string | undefined,
    private readonly logger: Logger,
    private readonly debounceMs = 100,
  ) {}

  /** Coalesces a burst of changes into one write. */
  schedule(): void {
    if (this.file === undefined || this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.debounceMs);
  }

  /** The final write; later changes (a request still in flight) start no new timer. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  /** Writes now (close() calls it too, so the last change is never lost). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.file === undefined) return;
    try {
      fs.mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
      const tmp = `${this.file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
      fs.writeFileSync(tmp, JSON.stringify(this.state.toJSON()), { mode: 0o600 });
      fs.renameSync(tmp, this.file);
    } catch (err) {
      this.logger.error({ err, file: this.file }, 'could not write the sandbox state file');
    }
  }
}
