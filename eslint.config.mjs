// Lint rules the house style relies on: no floating promises, no import cycles, domain code
// free of I/O, and stores free of the web framework.
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'artifacts/**', 'charts/**', 'services/notification/public/**', 'eslint.config.mjs', 'jest.config.js'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver()],
    },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      'import-x/no-cycle': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // Domain code takes and returns plain objects: no web framework, database or Dapr here.
    files: ['services/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['koa', '@koa/*', 'mongodb', '@dapr/*', 'node:http', 'node:net'], message: 'domain code does no I/O: pass plain objects in and out' },
          ],
        },
      ],
    },
  },
  {
    // A store keeps state in the database: it loads the driver and the store code, never the
    // web framework, the pub/sub adapter or the service shell (services/shared/test/imports.test.ts checks
    // what it loads at run time).
    files: ['services/*/src/store/**/*.ts', 'services/shared/src/event-stream.ts', 'services/shared/src/mongo.ts', 'services/shared/src/dead-letter-store.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'koa',
                '@koa/*',
                '@dapr/*',
                '@eventmart/shared/http',
                '@eventmart/shared/pubsub',
                '@eventmart/shared/service',
                '@eventmart/shared/health',
              ],
              message: 'a store does not load the web framework or the pub/sub adapter',
            },
          ],
        },
      ],
    },
  },
);
