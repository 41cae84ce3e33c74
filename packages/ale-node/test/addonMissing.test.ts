import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AleVectorEnv, isAddonBuilt } from '../src/index.js';

// A file of its own: the addon is loaded once per process, and this must run before anything loads it.
describe('without the addon', () => {
  afterEach(() => {
    delete process.env.MEMPO_ALE_ADDON;
  });

  it('says how to build it', () => {
    process.env.MEMPO_ALE_ADDON = '/nonexistent/ale_node.node';
    expect(isAddonBuilt()).toBe(false);
    expect(() => new AleVectorEnv({ game: 'breakout', numEnvs: 1 })).toThrow(
      "the ale-node addon is not built (/nonexistent/ale_node.node is missing): run 'npm run setup' (or only the addon: 'npm run build:addon -w @mempo/ale-node')",
    );
  });

  it('says to rebuild one that does not load', () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'ale-addon-')), 'ale_node.node');
    writeFileSync(broken, 'not a shared object');
    process.env.MEMPO_ALE_ADDON = broken;
    expect(() => new AleVectorEnv({ game: 'breakout', numEnvs: 1 })).toThrow(
      /^the ale-node addon at .*ale_node\.node does not load \(.*file too short\): rebuild it, run 'npm run setup'/,
    );
  });
});
