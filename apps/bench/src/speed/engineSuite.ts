import * as tf from '@tensorflow/tfjs-core';
import { availableBackends, useBackend, type BackendName } from '../backend.js';
import { timeTensorOp, type Timing } from './timing.js';

/** One engine micro-benchmark: builds its inputs once, then `run` is timed. */
interface EngineCase {
  name: string;
  /** Returns the op to time; inputs are created outside the timed region and disposed by the caller. */
  setup: () => { inputs: tf.Tensor[]; run: () => tf.Tensor | tf.Tensor[] };
}

const normal = (shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', 7);

/** The sizes: RIM's per-unit matmuls and the Nature-CNN first layer. */
export const ENGINE_CASES: EngineCase[] = [
  {
    name: 'matmul [512,512]·[512,512]',
    setup: () => {
      const [a, b] = [normal([512, 512]), normal([512, 512])];
      return { inputs: [a, b], run: () => tf.matMul(a, b) };
    },
  },
  {
    name: 'batched matmul U=6 B=64 100→100',
    setup: () => {
      const [a, b] = [normal([6, 64, 100]), normal([6, 100, 100])];
      return { inputs: [a, b], run: () => tf.matMul(a, b) };
    },
  },
  {
    name: 'batched matmul U=4 B=16 16→16',
    setup: () => {
      const [a, b] = [normal([4, 16, 16]), normal([4, 16, 16])];
      return { inputs: [a, b], run: () => tf.matMul(a, b) };
    },
  },
  {
    name: 'conv2d fwd 256×84×84×4 → 32·8×8/4',
    setup: () => {
      const [x, w] = [normal([256, 84, 84, 4]), normal([8, 8, 4, 32])];
      return { inputs: [x, w], run: () => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 4, 'valid') };
    },
  },
  {
    name: 'conv2d fwd+bwd 256×84×84×4 → 32·8×8/4',
    setup: () => {
      const [x, w] = [normal([256, 84, 84, 4]), normal([8, 8, 4, 32])];
      // The first layer's input is the observation, so training needs the filter gradient only (as in PPO).
      const loss = (filter: tf.Tensor) => tf.mean(tf.square(tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 4, 'valid')));
      return { inputs: [x, w], run: () => tf.grad(loss)(w) };
    },
  },
];

/** Result of one case on one backend: a timing, or why it could not run there. */
export type EngineResult = { backend: BackendName; case: string } & ({ timing: Timing } | { error: string });

/** Runs every case on every backend that loads here (or those named), the cpu baseline included. */
export async function runEngineSuite(
  backends?: BackendName[],
  onProgress: (line: string) => void = () => {},
): Promise<EngineResult[]> {
  const names = backends ?? (await availableBackends());
  const results: EngineResult[] = [];
  for (const backend of names) {
    await useBackend(backend);
    for (const c of ENGINE_CASES) {
      onProgress(`${backend}: ${c.name}`);
      const { inputs, run } = c.setup();
      try {
        // The pure-JS backend needs seconds per conv call (over two minutes for the conv backward) and has no
        // warm-up effects worth excluding: one timed call per slow case keeps the suite under ten minutes.
        const options = backend === 'cpu' ? { warmup: 0, minReps: 1, budgetMs: 3000 } : {};
        results.push({ backend, case: c.name, timing: await timeTensorOp(run, options) });
      } catch (err) {
        results.push({ backend, case: c.name, error: (err as Error).message.split('\n')[0]! });
      } finally {
        tf.dispose(inputs);
      }
    }
  }
  return results;
}
