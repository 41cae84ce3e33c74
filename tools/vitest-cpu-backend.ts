import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// Gradients, as a user registers them (the core-attention README, "Gradients").
import '@mempo/core-attention/register-gradients';

await tf.setBackend('cpu');
// The cpu backend advertises tfjs-node on first use in Node; package tests use cpu on purpose.
(tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
