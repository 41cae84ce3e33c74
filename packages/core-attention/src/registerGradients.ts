/**
 * The entry point `@mempo/core-attention/register-gradients`: importing it registers tfjs-core's gradient
 * definitions (tfjs-core's `register_all_gradients`, one per kernel) in tfjs' global gradient registry, so
 * `tf.grad`, `tf.variableGrads` and optimisers work on every backend. Import it once before the first gradient
 * (the core-attention README, "Gradients"); `@mempo/ppo` imports it itself because it always trains.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import '@mempo/core-attention/register-gradients';
 * const dx = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2])); // [2, 4]
 *
 * tfjs-core's Node entry (CommonJS) registers no gradients, and its ES-module file that does cannot be loaded
 * by Node (its imports have no file extensions). So the package build bundles this file with those definitions
 * and the tfjs-core internals they use into dist/registerGradients.bundle.js (scripts/bundle-gradients.mjs), the
 * file the entry point resolves to, the way `@tensorflow/tfjs` ships them;
 * tfjs-core's own entry stays external and loads first, so they register into the registry and engine of the
 * tfjs-core the application loaded.
 */
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
