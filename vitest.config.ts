import { defineConfig } from 'vitest/config';

const packages = ['core-attention', 'rim', 'iam', 'ppo', 'envs', 'ale-node'];

// Absolute, because vitest resolves a project's root against the working directory: the packages' `test`
// scripts run from their own folder (`vitest run --project <name> --root ../..`).
const fromRoot = (path: string): string => new URL(`./${path}`, import.meta.url).pathname;

const SLURM_TESTS = 'test/slurm.test.ts';

// One vitest project per workspace package. Package tests resolve sibling packages to their TypeScript
// sources (the `@mempo/source` export condition), so they run without a prior build and always test the
// current code. They run on the pure-JS `cpu` backend (deterministic, float32, gradient checks), except the
// graph package, which compiles to native TensorFlow sessions and so runs on tfjs-node's `tensorflow`
// backend; the bench app's tests load the native backend through the app, as a user would.
export default defineConfig({
  test: {
    projects: [
      ...packages.map((name) => ({
        resolve: { conditions: ['@mempo/source'] },
        ssr: { resolve: { conditions: ['@mempo/source'] } },
        test: {
          name,
          root: fromRoot(`packages/${name}`),
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          setupFiles: [fromRoot('tools/vitest-cpu-backend.ts')],
          testTimeout: 120_000,
        },
      })),
      {
        resolve: { conditions: ['@mempo/source'] },
        ssr: { resolve: { conditions: ['@mempo/source'] } },
        test: {
          name: 'graph',
          root: fromRoot('packages/graph'),
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          setupFiles: [fromRoot('tools/vitest-native-backend.ts')],
          testTimeout: 120_000,
        },
      },
      {
        resolve: { conditions: ['@mempo/source'] },
        ssr: { resolve: { conditions: ['@mempo/source'] } },
        test: {
          name: 'bench',
          root: fromRoot('apps/bench'),
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [SLURM_TESTS],
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Packs the library packages and installs them into a scratch project (tools/test/packInstall.test.ts).
        test: { name: 'packaging', root: fromRoot('tools'), include: ['test/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 60_000 },
      },
      // The Slurm executor's tests need a running Slurm (tools/slurm-test-setup.sh), which a user's set-up never
      // installs: they are their own project, `npm run test:slurm`, which .ci/run calls with a test cluster up.
      ...(process.env.MEMPO_SLURM_TESTS === '1'
        ? [{ test: { name: 'slurm', root: fromRoot('apps/bench'), include: [SLURM_TESTS], testTimeout: 900_000, hookTimeout: 120_000 } }]
        : []),
    ],
  },
});
