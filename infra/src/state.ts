import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Git-ignored folder where running stacks record what they started, so other commands can find them. */
export const RUN_DIR = fileURLToPath(new URL('../../.run', import.meta.url));

export interface RunState {
  kafka?: { brokers: string; pid?: number; dir?: string; external: boolean };
  redis?: { url: string; pid?: number; dir?: string; external: boolean };
  [extra: string]: unknown;
}

export function readRunState(name: string): RunState | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(RUN_DIR, `${name}.json`), 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}

export function writeRunState(name: string, state: RunState | undefined): void {
  const file = path.join(RUN_DIR, `${name}.json`);
  if (state === undefined) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(RUN_DIR, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(state, null, 2) + '\n');
}
