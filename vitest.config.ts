import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Emulators write real images; two cores on CI, so keep parallelism modest.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
