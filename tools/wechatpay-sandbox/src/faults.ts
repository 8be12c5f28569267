/**
 * Fault injection rules (`/__sandbox/faults`). A rule targets one endpoint; API rules act on the HTTP
 * exchange before the request changes any state, notify rules act on one notification's delivery.
 */
import crypto from 'node:crypto';
import { z } from 'zod';

export const API_FAULT_ENDPOINTS = ['jsapi', 'query', 'close', 'refund', 'jscode2session'] as const;
export const API_FAULT_KINDS = ['latency', 'hang', 'reset', 'error'] as const;
export const NOTIFY_FAULT_KINDS = ['drop', 'duplicate', 'delay', 'reorder', 'badSignature', 'probe'] as const;

export type FaultEndpoint = (typeof API_FAULT_ENDPOINTS)[number] | 'notify';
export type ApiFaultKind = (typeof API_FAULT_KINDS)[number];
export type NotifyFaultKind = (typeof NOTIFY_FAULT_KINDS)[number];

export const faultRuleSchema = z
  .strictObject({
    endpoint: z.enum([...API_FAULT_ENDPOINTS, 'notify'], {
      message: `endpoint must be one of ${[...API_FAULT_ENDPOINTS, 'notify'].join(', ')}`,
    }),
    kind: z.string({ message: 'kind is required' }),
    rate: z.number().min(0, 'rate must be within 0..1').max(1, 'rate must be within 0..1').default(1),
    count: z.number().int('count must be an integer').positive('count must be > 0').optional(),
    ms: z
      .number()
      .int('ms must be an integer')
      .min(0, 'ms must be >= 0')
      .max(3_600_000, 'ms must be <= 3600000')
      .optional(),
    status: z
      .number()
      .int()
      .min(100, 'status must be an HTTP status')
      .max(599, 'status must be an HTTP status')
      .optional(),
    code: z.string().min(1).max(64).optional(),
  })
  .superRefine((rule, ctx) => {
    const kinds: readonly string[] = rule.endpoint === 'notify' ? NOTIFY_FAULT_KINDS : API_FAULT_KINDS;
    if (!kinds.includes(rule.kind)) {
      ctx.addIssue({
        code: 'custom',
        path: ['kind'],
        message: `kind for endpoint ${rule.endpoint} must be one of ${kinds.join(', ')}`,
      });
    }
  });

export type FaultRuleInput = z.input<typeof faultRuleSchema>;

export interface FaultRule {
  readonly id: string;
  readonly endpoint: FaultEndpoint;
  readonly kind: ApiFaultKind | NotifyFaultKind;
  readonly rate: number;
  readonly ms?: number;
  readonly status?: number;
  readonly code?: string;
  /** Calls this rule still covers; undefined = until deleted. */
  remaining?: number;
  /** How many times it actually fired. */
  applied: number;
}

/** Parses a rule body; the message names the offending field. */
export function parseFaultRule(
  body: unknown,
): { ok: true; rule: z.output<typeof faultRuleSchema> } | { ok: false; message: string } {
  const parsed = faultRuleSchema.safeParse(body);
  if (parsed.success) return { ok: true, rule: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { ok: false, message: `invalid fault rule: ${where}${issue?.message ?? 'invalid'}` };
}

export class FaultStore {
  private readonly rules = new Map<string, FaultRule>();

  constructor(private readonly random: () => number = Math.random) {}

  add(input: z.output<typeof faultRuleSchema>): FaultRule {
    const rule: FaultRule = {
      id: crypto.randomUUID(),
      endpoint: input.endpoint,
      kind: input.kind as FaultRule['kind'],
      rate: input.rate,
      ms: input.ms,
      status: input.status,
      code: input.code,
      remaining: input.count,
      applied: 0,
    };
    this.rules.set(rule.id, rule);
    return rule;
  }

  list(): FaultRule[] {
    return [...this.rules.values()];
  }

  remove(id: string): boolean {
    return this.rules.delete(id);
  }

  clear(): void {
    this.rules.clear();
  }

  /**
   * The rule that applies to this call, if any. Rules are tried in the order they were added. A rule with
   * a `count` covers the next `count` calls to its endpoint whether or not its `rate` fires on each,
   * so `{rate: 0.5, count: 10}` means "about half of the next ten calls".
   */
  take(endpoint: FaultEndpoint): FaultRule | undefined {
    for (const rule of this.rules.values()) {
      if (rule.endpoint !== endpoint) continue;
      if (rule.remaining !== undefined) {
        rule.remaining -= 1;
        if (rule.remaining <= 0) this.rules.delete(rule.id);
      }
      if (this.random() < rule.rate) {
        rule.applied += 1;
        return rule;
      }
    }
    return undefined;
  }
}
