// Three suites, one command: `npm test` runs them all.
//  unit        pure logic and in-process apps (services/*/test), the runner's own parts (scripts/test), the fuzzers' generators (test/support)
//  k8s         the Helm chart, component YAML, kind and skaffold files, checked by real offline tools
//  integration the real system: daprd sidecars, Kafka and RabbitMQ, FerretDB (test/integration)
//  browser     the shop page in Debian's Chromium (playwright-core) against the real system (test/browser)
//  cluster     a real kind cluster: skaffold run on each broker, scaling under load, skaffold dev (test/cluster)
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] };
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/services/*/test/**/*.test.ts', '<rootDir>/scripts/test/**/*.test.ts', '<rootDir>/test/support/**/*.test.ts'],
    },
    { ...common, displayName: 'k8s', testMatch: ['<rootDir>/test/k8s/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
    { ...common, displayName: 'cluster', testMatch: ['<rootDir>/test/cluster/**/*.test.ts'] },
  ],
};
