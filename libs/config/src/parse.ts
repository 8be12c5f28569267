import { type z } from 'zod';
import { ConfigError, type ConfigProblem } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the environment with a zod object whose keys are the variable names. Empty strings count as
 * unset, so `FOO=` falls back to the default instead of failing a number parse. Secrets must be declared
 * without a default; their values never appear in messages (zod's messages do not echo input).
 */
export function parseConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(toProblems(result.error, input));
}

function toProblems(error: z.ZodError, input: Record<string, string>): ConfigProblem[] {
  const byVariable = new Map<string, string>();
  for (const issue of error.issues) {
    const variable = String(issue.path[0] ?? '(config)');
    const message = variable in input ? issue.message : 'is required but not set';
    if (!byVariable.has(variable)) byVariable.set(variable, message);
  }
  return [...byVariable].map(([variable, message]) => ({ variable, message }));
}

export interface LoadOptions {
  readonly env?: Env;
  /** Where the messages go; stderr by default. */
  readonly write?: (line: string) => void;
  readonly exit?: (code: number) => never;
}

/**
 * For composition roots: parse or print one line per invalid variable and exit 1.
 * The process never starts half-configured.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, options: LoadOptions = {}): z.infer<S> {
  return orExit(() => parseConfig(schema, options.env ?? process.env), options);
}

/**
 * Runs a config step that may throw ConfigError (e.g. reading key files named by variables) and turns
 * the error into one line per variable and exit code 1, like `loadConfig`.
 */
export function orExit<T>(step: () => T, options: Omit<LoadOptions, 'env'> = {}): T {
  try {
    return step();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
    for (const p of err.problems) write(`config error: ${p.variable} ${p.message}`);
    const exit = options.exit ?? ((code: number) => process.exit(code));
    return exit(1);
  }
}
