import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

await tf.setBackend('cpu');
// The cpu backend advertises tfjs-node on first use in Node; package tests use cpu on purpose.
(tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
