// Setup file of the `graph` vitest project: the graph engine runs only on tfjs-node's native backend.
// TF_CPP_MIN_LOG_LEVEL must be set before the addon loads TensorFlow, hence the dynamic import.
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
await import('@tensorflow/tfjs-node');
const tf = await import('@tensorflow/tfjs-core');

await tf.setBackend('tensorflow');
