// Run by the package build: bundles src/registerGradients.ts (the `./register-gradients` entry point) with
// tfjs-core's gradient definitions into dist/registerGradients.bundle.js, because Node cannot load those from
// tfjs-core's own ES-module files (imports without file extensions). tfjs-core's package entry stays external,
// so the application's tfjs-core owns the engine and the gradient registry the definitions are registered in
// (src/registerGradients.ts says why). A file of its own, so a plain `tsc -p packages/core-attention` never
// overwrites it.
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const input = fileURLToPath(new URL('../src/registerGradients.ts', import.meta.url));
const file = fileURLToPath(new URL('../dist/registerGradients.bundle.js', import.meta.url));
const bundle = await rolldown({ input, platform: 'node', external: ['@tensorflow/tfjs-core'], logLevel: 'warn' });
await bundle.write({ file, format: 'esm', sourcemap: false });
await bundle.close();
