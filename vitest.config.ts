import { configDefaults, defineConfig } from 'vitest/config';
import SummaryReporter from './test/summary-reporter.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: [...configDefaults.reporters, new SummaryReporter()],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
