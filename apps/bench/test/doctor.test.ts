import { afterEach, describe, expect, it } from 'vitest';
import { printDoctor, runDoctor } from '../src/doctor.js';

describe('mempo doctor', () => {
  const saved = process.env.MEMPO_PYTHON;
  afterEach(() => {
    if (saved === undefined) delete process.env.MEMPO_PYTHON;
    else process.env.MEMPO_PYTHON = saved;
  });

  it('passes on a set-up machine: native backend, pinned Python packages, ROMs', async () => {
    const checks = await runDoctor();
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName['backend']?.detail).toMatch(/^tensorflow via @tensorflow\/tfjs-node/);
    for (const pkg of ['gymnasium', 'minigrid', 'ale-py', 'numpy']) expect(byName[pkg]?.ok).toBe(true);
    expect(byName['Atari ROMs']?.detail).toBe('breakout present, pong present');
    expect(byName['ALE addon']?.detail).toMatch(/^ALE 0\.12\.1 at .*\/packages\/ale-node\/build\/ale_node\.node; Atari runs natively by default$/);
    // This machine was set up without --gpu and has no NVIDIA driver.
    expect(byName['backend']?.detail).toMatch(/, device CPU$/);
    expect(byName['GPU']?.detail).toBe('not used: the CPU build (@tensorflow/tfjs-node) is loaded; no NVIDIA driver');
    expect(printDoctor(checks, () => {})).toBe(true);
  });

  it('fails with the fix when the Python environment is missing', async () => {
    process.env.MEMPO_PYTHON = '/nonexistent/python';
    const checks = await runDoctor();
    const lines: string[] = [];
    expect(printDoctor(checks, (l) => lines.push(l))).toBe(false);
    const python = checks.find((c) => c.name === 'python env');
    expect(python?.ok).toBe(false);
    expect(python?.fix).toBe("no Python interpreter at /nonexistent/python: run 'npm run setup' (or set MEMPO_PYTHON)");
    expect(lines.join('\n')).toContain('FAIL python env');
  });

  it('fails when a requested backend cannot be used', async () => {
    const checks = await runDoctor('webgpu');
    const backend = checks.find((c) => c.name === 'backend');
    expect(backend?.ok).toBe(false);
    expect(backend?.fix).toBe("--backend must be one of tensorflow, wasm, cpu (got 'webgpu')");
  });
});
