import { it } from 'vitest';
import { runTrainSuite, trainTable } from '../src/speed/trainSuite.js';
it('suite', async () => {
  const results = await runTrainSuite({ backend: 'tensorflow', updates: Number(process.env.UPD ?? 1), onProgress: (l) => console.log(l) });
  console.log(trainTable(results));
  console.log(JSON.stringify(results));
}, 900_000);
