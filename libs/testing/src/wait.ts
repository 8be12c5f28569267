/** Polls until `probe` returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
  const reason = last instanceof Error ? `: last error ${last.message}` : '';
  throw new Error(
    `timed out after ${opts.timeoutMs ?? 15_000} ms waiting for ${opts.what ?? 'condition'}${reason}`,
  );
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
