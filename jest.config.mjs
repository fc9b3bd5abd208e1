// Jest runs TypeScript as native ES modules (oidc-provider 9 and jose 6 are ESM-only; see
// shared/STACK-NOTES.md). @swc/jest strips types only: `npm run typecheck` is the type gate.
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'es6' } },
];

/** @param {string} name @param {string} match */
const project = (name, match) => ({
  displayName: name,
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@portcullis/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^@portcullis/([a-z-]+)/([a-z-]+)$': '<rootDir>/packages/$1/src/$2/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: [match],
});

export default {
  rootDir: '.',
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  projects: [
    project('unit', '<rootDir>/{apps,packages}/*/test/unit/**/*.test.ts'),
    project('integration', '<rootDir>/{apps,packages}/*/test/integration/**/*.test.ts'),
    project('e2e', '<rootDir>/{apps,packages}/*/test/e2e/**/*.test.ts'),
    project('security', '<rootDir>/{apps,packages}/*/test/security/**/*.test.ts'),
  ],
};
