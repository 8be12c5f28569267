/**
 * Fault-injection point for crash tests: when `WXPAY_CRASH_AT` names this point, the process kills
 * itself with SIGKILL right here — no cleanup, no flush — exactly like a power cut between two steps.
 * Unset in every real deployment; the crash tests set it for one process and restart it without.
 */
export function crashPoint(name: string): void {
  if (process.env.WXPAY_CRASH_AT !== name) return;
  process.stderr.write(`CRASH POINT ${name}\n`);
  process.kill(process.pid, 'SIGKILL');
}
