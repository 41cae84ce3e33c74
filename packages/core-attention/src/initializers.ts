import * as tf from '@tensorflow/tfjs-core';

/**
 * A reproducible stream of seeds derived from one user seed: each weight of a module draws from its own
 * seed, so adding a weight never silently changes another weight's values. Without a user seed every
 * draw is fresh randomness.
 *
 * @example
 * const seeds = new SeedStream(42);
 * const w = uniformInit([4, 8], 0.5, seeds.next());
 */
export class SeedStream {
  private counter = 0;

  constructor(private readonly seed?: number) {}

  /** The next seed, or `undefined` (fresh randomness) when the stream has no seed. */
  next(): number | undefined {
    if (this.seed === undefined) return undefined;
    this.counter += 1;
    // Large co-prime multipliers keep consecutive derived seeds far apart in seedrandom's state space.
    return (Math.abs(Math.trunc(this.seed)) * 1_000_003 + this.counter * 7_919) % 2_147_483_647;
  }
}

/** U(−limit, limit): PyTorch's default for recurrent cells and dense layers (limit = 1/√fanIn or 1/√H). */
export function uniformInit(shape: number[], limit: number, seed?: number): tf.Tensor {
  return tf.randomUniform(shape, -limit, limit, 'float32', seed);
}

/** N(0, std²): the reference's GroupLinear initialisation uses std = 0.01 (its GroupLinearLayer, `RIM.py`). */
export function normalInit(shape: number[], std: number, seed?: number): tf.Tensor {
  return tf.randomNormal(shape, 0, std, 'float32', seed);
}

/** Glorot/Xavier uniform, limit √(6 / (fanIn + fanOut)). */
export function glorotUniformInit(shape: number[], fanIn: number, fanOut: number, seed?: number): tf.Tensor {
  return uniformInit(shape, Math.sqrt(6 / (fanIn + fanOut)), seed);
}

/**
 * How a layer's kernel (and bias) start, as the reproduced codes do it. Kernels are `[fanIn, fanOut]`
 * (a conv kernel `[k, k, in, out]` counts `k·k·in` as its fan-in):
 * - `'uniform'`: PyTorch's default for `nn.Linear` / `nn.Conv2d` (`kaiming_uniform_(a=√5)`), kernel and
 *   bias U(±1/√fanIn).
 * - `'glorot'`: Glorot-uniform kernel, limit √(6 / (fanIn + fanOut)), zero bias (TF/Keras's default).
 * - `'torch-ac'`: torch-ac's / rl-starter-files' `init_params`: kernel N(0, 1) with every output unit's
 *   weight vector (a row of PyTorch's `[out, in]` weight) scaled to unit norm, zero bias.
 * - `'orthogonal'`: `torch.nn.init.orthogonal_` (CleanRL's and ikostrikov's `layer_init`): a random
 *   orthogonal matrix from the QR decomposition of a Gaussian one, zero bias.
 * - `'variance-scaling'`: TF 1's `variance_scaling_initializer(factor)` (mode FAN_IN, normal): kernel
 *   N(0, 1.3·factor/fanIn) truncated at two standard deviations, zero bias.
 */
export type InitScheme = 'uniform' | 'glorot' | 'torch-ac' | 'orthogonal' | 'variance-scaling';

/** The schemes, for validation messages. */
export const INIT_SCHEMES: readonly InitScheme[] = ['uniform', 'glorot', 'torch-ac', 'orthogonal', 'variance-scaling'];

/**
 * A kernel of `shape` (its last axis the outputs, the rest the fan-in: `[in, out]` or `[k, k, in, out]`) drawn by `scheme`. `gain` multiplies
 * the result (for `'variance-scaling'` it is TF's `factor`, which scales the variance instead).
 *
 * @example
 * const actor = initKernel('orthogonal', [64, 7], 0.01, 5); // CleanRL's actor: WᵀW = 0.01²·I
 */
export function initKernel(scheme: InitScheme, shape: number[], gain: number, seed?: number): tf.Tensor {
  const outputs = shape[shape.length - 1]!;
  const fanIn = shape.reduce((a, b) => a * b, 1) / outputs;
  // Keras counts a conv kernel's receptive field in both fans (fanOut = k·k·out).
  const fanOut = (fanIn / (shape.length > 1 ? shape[shape.length - 2]! : 1)) * outputs;
  return tf.tidy(() => {
    switch (scheme) {
      case 'uniform':
        return uniformInit(shape, gain / Math.sqrt(fanIn), seed);
      case 'glorot':
        return uniformInit(shape, gain * Math.sqrt(6 / (fanIn + fanOut)), seed);
      case 'torch-ac': {
        const w = tf.randomNormal([fanIn, outputs], 0, 1, 'float32', seed);
        return tf.reshape(tf.mul(tf.div(w, tf.norm(w, 'euclidean', 0, true)), gain), shape);
      }
      case 'orthogonal':
        return tf.reshape(tf.mul(orthogonalMatrix(fanIn, outputs, seed), gain), shape);
      case 'variance-scaling':
        return tf.truncatedNormal(shape, 0, Math.sqrt((1.3 * gain) / fanIn), 'float32', seed);
    }
  });
}

/** The bias `scheme` starts a layer of fan-in `fanIn` with: U(±1/√fanIn) for `'uniform'`, zeros otherwise. */
export function initBias(scheme: InitScheme, size: number, fanIn: number, seed?: number): tf.Tensor {
  return scheme === 'uniform' ? uniformInit([size], 1 / Math.sqrt(fanIn), seed) : tf.zeros([size]);
}

/**
 * A `[rows, cols]` matrix with orthonormal columns (rows ≥ cols) or rows (rows < cols), as PyTorch's
 * `orthogonal_`: the Q of a standard normal matrix's QR with R's diagonal positive, so the draw is uniform.
 * Q comes from modified Gram–Schmidt in float64 (whose R has a positive diagonal by construction):
 * `tf.linalg.qr` forms the full m×m Householder product at every column, which takes minutes for an LSTM's
 * `[4H, H]` weights at H = 512 (CleanRL's and the Atari LSTM's size); this is O(m·n²).
 */
function orthogonalMatrix(rows: number, cols: number, seed?: number): tf.Tensor2D {
  const tall = rows >= cols;
  const [m, n] = tall ? [rows, cols] : [cols, rows];
  const a = tf.tidy(() => tf.randomNormal([m, n], 0, 1, 'float32', seed).dataSync());
  const columns = Array.from({ length: n }, (_, j) => Float64Array.from({ length: m }, (_, i) => a[i * n + j]!));
  columns.forEach((q, j) => {
    for (let k = 0; k < j; k++) {
      const prev = columns[k]!;
      let dot = 0;
      for (let i = 0; i < m; i++) dot += prev[i]! * q[i]!;
      for (let i = 0; i < m; i++) q[i]! -= dot * prev[i]!;
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[i]! * q[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) q[i]! /= norm;
  });
  const out = new Float32Array(m * n);
  // Row-major [m, n] (columns orthonormal), or its transpose [n, m] (rows orthonormal) for a wide matrix.
  columns.forEach((q, j) => q.forEach((v, i) => (out[tall ? i * n + j : j * m + i] = v)));
  return tf.tensor2d(out, [rows, cols]);
}

/**
 * A variable holding `init()`'s value. `tf.variable(t)` keeps `t` registered beside the variable, so the
 * memory would outlive the variable's `dispose()`; building it inside `tf.tidy` frees that initial handle.
 *
 * @example
 * const w = initVariable(() => uniformInit([4, 8], 0.5, seeds.next()));
 */
export function initVariable(init: () => tf.Tensor): tf.Variable {
  return tf.tidy(() => tf.variable(init()));
}
