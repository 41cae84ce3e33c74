import { it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRUCore } from '@mempo/core-attention';
import { Warehouse } from '@mempo/envs';
import { MlpEncoder, resolveConfig, train, type Metrics } from '@mempo/ppo';
import { useBackend } from '../src/backend.js';

it('native resume', async () => {
  await useBackend('tensorflow');
  // Warehouse has no getState: also exercises the reset-on-resume path, so use the resumable-free comparison only for updates before the stop.
  const config = resolveConfig('iam', { numEnvs: 8, numSteps: 32, totalSteps: 8 * 32 * 6, checkpointEvery: 0 });
  const parts = () => ({ env: new Warehouse({ numEnvs: 8 }), encoder: new MlpEncoder({ obsShape: [73], hiddenSizes: [64], seed: 1 }), core: new GRUCore({ inputSize: 64, hiddenSize: 32, seed: 1 }) });
  const a: Metrics[] = []; const b: Metrics[] = [];
  (await train({ config, ...parts(), callbacks: { onUpdate: (m) => void a.push(m) } })).agent.dispose();
  (await train({ config, ...parts(), callbacks: { onUpdate: (m) => void b.push(m) } })).agent.dispose();
  let worst = 0;
  a.forEach((r, i) => { for (const k of Object.keys(r)) { if (k.startsWith('time/') || k === 'charts/fps') continue; const x = r[k]!, y = b[i]![k]!; if (Number.isNaN(x) && Number.isNaN(y)) continue; const d = Math.abs(x - y) / Math.max(1e-6, Math.abs(x)); if (d > worst) { worst = d; console.log(i, k, x, y, d); } } });
  console.log('worst rel diff native (two identical runs)', worst);
}, 600_000);
