import { defineConfig } from 'vitest/config';

// Tiers (DESIGN §9): *.unit.test.ts are pure and need no database; *.int.test.ts and the contract
// suite use one throwaway PostgreSQL per run (test/support/globalSetup.ts) unless DATABASE_URL is set;
// *.e2e.test.ts run the service or the CLI as a process.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.unit.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'int',
          include: ['test/**/*.int.test.ts', 'test/**/*.e2e.test.ts', 'test/contract/**/*.test.ts'],
          exclude: ['test/**/*.unit.test.ts', 'test/**/*.esdb.test.ts'],
          globalSetup: ['test/support/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'esdb',
          include: ['test/**/*.esdb.test.ts'],
          globalSetup: ['test/support/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
