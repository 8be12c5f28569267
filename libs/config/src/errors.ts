/** One invalid environment variable: the variable's name and what is wrong with it. */
export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/** Thrown by `parseConfig`; `loadConfig` turns it into one line per variable and exit code 1. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  readonly retriable = false;
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `${p.variable}: ${p.message}`).join('; '));
    this.name = 'ConfigError';
  }
}
