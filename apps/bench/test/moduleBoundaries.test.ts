import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const boundaryRule = '@nx/enforce-module-boundaries';

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: `${root}/${file}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === boundaryRule).map((m) => m.message);
}

// The README's "Layout": ppo never names a plugin; plugins depend on core-attention (and graph) only; envs is independent;
// graph, the tensor engine, sits below everything and imports no workspace package.
describe('dependency direction between packages (nx module boundaries)', () => {
  it.each([
    ['packages/ppo/src/probe.ts', '@mempo/rim'],
    ['packages/ppo/src/probe.ts', '@mempo/iam'],
    ['packages/rim/src/probe.ts', '@mempo/iam'],
    ['packages/rim/src/probe.ts', '@mempo/envs'],
    ['packages/core-attention/src/probe.ts', '@mempo/rim'],
    ['packages/envs/src/probe.ts', '@mempo/core-attention'],
    ['packages/graph/src/probe.ts', '@mempo/core-attention'],
    ['packages/graph/src/probe.ts', '@mempo/ppo'],
    ['packages/ale-node/src/probe.ts', '@mempo/envs'],
  ])('%s may not import %s', async (file, target) => {
    const errors = await boundaryErrors(file, `import * as m from '${target}';\nexport const used = m;\n`);
    expect(errors.length).toBe(1);
  });

  it.each([
    ['packages/ppo/src/probe.ts', '@mempo/core-attention'],
    ['packages/ppo/src/probe.ts', '@mempo/envs'],
    ['packages/rim/src/probe.ts', '@mempo/core-attention'],
    ['apps/bench/src/probe.ts', '@mempo/rim'],
    ['packages/core-attention/src/probe.ts', '@mempo/graph'],
    ['packages/rim/src/probe.ts', '@mempo/graph'],
    ['packages/ppo/src/probe.ts', '@mempo/graph'],
    ['apps/bench/src/probe.ts', '@mempo/graph'],
    ['packages/envs/src/probe.ts', '@mempo/ale-node'],
  ])('%s may import %s', async (file, target) => {
    expect(await boundaryErrors(file, `import * as m from '${target}';\nexport const used = m;\n`)).toEqual([]);
  });
});
