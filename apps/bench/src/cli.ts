#!/usr/bin/env node
import { buildProgram } from './program.js';

// Bad input found after parsing (a malformed study file, k > units) ends as one line naming the fix, not a stack
// trace (MEMPO_DEBUG=1 adds it).
await buildProgram().parseAsync().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  if (process.env['MEMPO_DEBUG'] && err instanceof Error) console.error(err.stack);
  process.exitCode = 1;
});
