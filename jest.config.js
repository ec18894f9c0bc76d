// Jest in native ESM mode (run with --experimental-vm-modules; see package.json "test:unit").
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@platform-actions/kit$': '<rootDir>/packages/kit/src/index.ts',
    '^@platform-actions/kit/exec$': '<rootDir>/packages/kit/src/exec.ts',
    '^@platform-actions/expressions$': '<rootDir>/packages/expressions/src/index.ts',
    '^@platform-actions/services$': '<rootDir>/packages/services/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/actions/*/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 60_000,
};
