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

// DESIGN.md: ppo never names a plugin; plugins depend on core-attention only; envs is independent.
describe('dependency direction between packages (nx module boundaries)', () => {
  it.each([
    ['packages/ppo/src/probe.ts', '@mempo/rim'],
    ['packages/ppo/src/probe.ts', '@mempo/iam'],
    ['packages/rim/src/probe.ts', '@mempo/iam'],
    ['packages/rim/src/probe.ts', '@mempo/envs'],
    ['packages/core-attention/src/probe.ts', '@mempo/rim'],
    ['packages/envs/src/probe.ts', '@mempo/core-attention'],
  ])('%s may not import %s', async (file, target) => {
    const errors = await boundaryErrors(file, `import * as m from '${target}';\nexport const used = m;\n`);
    expect(errors.length).toBe(1);
  });

  it.each([
    ['packages/ppo/src/probe.ts', '@mempo/core-attention'],
    ['packages/ppo/src/probe.ts', '@mempo/envs'],
    ['packages/rim/src/probe.ts', '@mempo/core-attention'],
    ['apps/bench/src/probe.ts', '@mempo/rim'],
  ])('%s may import %s', async (file, target) => {
    expect(await boundaryErrors(file, `import * as m from '${target}';\nexport const used = m;\n`)).toEqual([]);
  });
});
