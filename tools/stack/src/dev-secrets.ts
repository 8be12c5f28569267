import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@wxpay-saga/infra';

export const DEV_KEY_DIR = path.join(REPO_ROOT, '.dev-keys');

/**
 * A development secret kept in the git-ignored `.dev-keys/` folder: generated on first use, reused after,
 * never committed. Production sets the variable instead.
 */
export function devSecret(name: string): string {
  const file = path.join(DEV_KEY_DIR, `${name}.secret`);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(DEV_KEY_DIR, { recursive: true, mode: 0o700 });
    const value = randomBytes(32).toString('base64url');
    fs.writeFileSync(file, value + '\n', { mode: 0o600, flag: 'wx' });
    return fs.readFileSync(file, 'utf8').trim();
  }
}
