import { defineConfig } from 'vitest/config';

// Unit, boundary (real wasm from target/wasm-pkg) and schema tests. The loader test
// (tests/loader/) runs the built dist/ under node's own test runner instead.
export default defineConfig({
  oxc: { jsx: { runtime: 'classic' } },
  test: {
    include: ['plugin/**/*.test.{ts,tsx}', 'tests/schema/**/*.test.ts', 'tests/stack/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['plugin/shared/test-setup.ts'],
    pool: 'forks',
    testTimeout: 20_000,
  },
});
