import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * One run for everything: unit tests and integration tests against the real Kafka and Redis that the
 * global setup provides (KAFKA_BROKERS / REDIS_URL, else local processes). Workspace packages resolve to
 * their TypeScript sources through the `source` export condition.
 */
const conditions = ['source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  // The global setup runs in vitest's own environment; without this it would load workspace packages
  // from dist/ (missing on a fresh clone, stale after an edit).
  environments: { __vitest__: { resolve: { conditions } } },
  test: {
    include: [
      'libs/*/test/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'tools/*/test/**/*.test.ts',
      'infra/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    globalSetup: ['libs/testing/src/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    reporters: ['default'],
    env: { KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  },
});
