import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here and on CI. Most files spend much of their time waiting on sockets, child
    // processes (Ceph, Chromium, gphoto2) and the emulated link rather than on the CPU, so a third
    // worker fills those waits (measured here with shared module graphs: 3 workers 188 s). Four
    // were faster still (172 s) but starved the Chromium tests often enough to fail a run.
    maxWorkers: 3,
    // Test files share their worker's module graph instead of loading src/ and its dependencies
    // again for each of the 110-odd files: that re-import was a third of the suite's CPU time.
    // Files that need a fresh graph (an environment variable read at import) ask with
    // vi.resetModules(); state a file changes globally it restores in its own hooks.
    isolate: false,
    reporters: ['default'],
  },
});
