/**
 * Every timer the sandbox starts goes through here, so `close()` can stop them all: notification retries,
 * refund processing, fault delays and the state-file debounce. Nothing outlives the server.
 */
export class SandboxClosedError extends Error {
  constructor() {
    super('sandbox closed');
    this.name = 'SandboxClosedError';
  }
}

export class Timers {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs `fn` after `ms`; does nothing once closed. Returns a cancel function. */
  after(ms: number, fn: () => void): () => void {
    if (this.closed) return () => {};
    const handle = setTimeout(
      () => {
        this.pending.delete(handle);
        fn();
      },
      Math.max(0, ms),
    );
    this.pending.set(handle, () => {});
    return () => {
      clearTimeout(handle);
      this.pending.delete(handle);
    };
  }

  /** Resolves after `ms`; rejects with SandboxClosedError if the sandbox closes first. */
  sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.reject(new SandboxClosedError());
    return new Promise((resolve, reject) => {
      const handle = setTimeout(
        () => {
          this.pending.delete(handle);
          resolve();
        },
        Math.max(0, ms),
      );
      this.pending.set(handle, () => reject(new SandboxClosedError()));
    });
  }

  get size(): number {
    return this.pending.size;
  }

  close(): void {
    this.closed = true;
    for (const [handle, onCancel] of this.pending) {
      clearTimeout(handle);
      onCancel();
    }
    this.pending.clear();
  }
}
