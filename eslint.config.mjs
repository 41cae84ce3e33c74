import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// The dependency direction of the README's "Layout" section, enforced on every import between workspace packages:
// graph (the tensor engine) sits at the bottom and depends on tfjs only; core-attention ← rim, iam; ale-node
// (the ALE addon) stands alone and envs uses only it; ppo ← core-attention + envs (never a plugin); the bench
// app composes everything. Every layer above graph may use it.
export const dependencyConstraints = [
  { sourceTag: 'scope:graph', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:graph'] },
  { sourceTag: 'scope:plugin', onlyDependOnLibsWithTags: ['scope:core', 'scope:graph'] },
  { sourceTag: 'scope:ale', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:envs', onlyDependOnLibsWithTags: ['scope:ale'] },
  { sourceTag: 'scope:ppo', onlyDependOnLibsWithTags: ['scope:core', 'scope:envs', 'scope:graph'] },
  { sourceTag: 'scope:app', onlyDependOnLibsWithTags: ['scope:core', 'scope:plugin', 'scope:envs', 'scope:ppo', 'scope:graph'] },
];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.venv/**', '.nx/**', 'runs/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints: dependencyConstraints },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
