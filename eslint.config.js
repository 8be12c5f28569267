// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      '.run/**',
      '.dev-keys/**',
      'infra/kafka/target/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      // Only libs/messaging talks to Kafka, only libs/redis creates Redis clients: adapters stay at the edges.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'kafkajs', message: 'Only libs/messaging imports kafkajs; use @wxpay-saga/messaging.' },
            { name: 'ioredis', message: 'Only libs/redis imports ioredis; use @wxpay-saga/redis.' },
          ],
        },
      ],
    },
  },
  { files: ['libs/messaging/src/**'], rules: { 'no-restricted-imports': 'off' } },
  { files: ['libs/redis/src/**'], rules: { 'no-restricted-imports': 'off' } },
  {
    // Tests may use the untyped surface of third-party referees and fixtures.
    files: ['**/test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
