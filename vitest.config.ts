import { defineConfig } from 'vitest/config';

const packages = ['core-attention', 'rim', 'iam', 'ppo', 'envs'];

// One vitest project per workspace package. Package tests resolve sibling packages to their TypeScript
// sources (the `@mempo/source` export condition), so they run without a prior build and always test the
// current code. They run on the pure-JS `cpu` backend (deterministic, float32, gradient checks); the bench
// app's tests load the native backend through the app, as a user would.
export default defineConfig({
  test: {
    projects: [
      ...packages.map((name) => ({
        resolve: { conditions: ['@mempo/source'] },
        ssr: { resolve: { conditions: ['@mempo/source'] } },
        test: {
          name,
          root: `packages/${name}`,
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          setupFiles: [new URL('./tools/vitest-cpu-backend.ts', import.meta.url).pathname],
          testTimeout: 120_000,
        },
      })),
      {
        resolve: { conditions: ['@mempo/source'] },
        ssr: { resolve: { conditions: ['@mempo/source'] } },
        test: {
          name: 'bench',
          root: 'apps/bench',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
