/**
 * Builds namespaced keys (`REDIS_KEY_PREFIX` + parts joined by `:`). Every key in the system comes from
 * here so that tests can isolate themselves with a prefix and a SCAN by prefix finds everything.
 */
export interface KeySpace {
  readonly prefix: string;
  key(...parts: readonly (string | number)[]): string;
}

export function keySpace(prefix: string): KeySpace {
  return { prefix, key: (...parts) => prefix + parts.join(':') };
}
