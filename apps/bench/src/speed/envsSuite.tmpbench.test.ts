import { it } from 'vitest';
import { envsTable, runEnvsSuite } from './envsSuite.js';
it('bench', async () => {
  const r = await runEnvsSuite({ rounds: 10 });
  console.log(envsTable(r));
});
