// Run by the package build after tsc: bundles dist/registerGradients.js (the `./register-gradients` entry point)
// with tfjs-core's gradient definitions, which Node cannot load from tfjs-core's own ES-module files (imports
// without file extensions). tfjs-core's package entry stays external, so the application's tfjs-core owns the
// engine and the gradient registry the definitions are registered in (src/registerGradients.ts says why).
import { rename, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const entry = fileURLToPath(new URL('../dist/registerGradients.js', import.meta.url));
const bundled = `${entry}.bundle`;
const bundle = await rolldown({ input: entry, platform: 'node', external: ['@tensorflow/tfjs-core'], logLevel: 'warn' });
await bundle.write({ file: bundled, format: 'esm', sourcemap: false });
await bundle.close();
await rename(bundled, entry);
// tsc's source map describes the file before bundling.
await rm(`${entry}.map`, { force: true });
