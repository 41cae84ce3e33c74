import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GifReader } from 'omggif';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend.js';
import { WAREHOUSE_OBS_SIZE, robotObsIndex, shelfObsIndex } from '@mempo/envs';
import { MINIGRID_ACTIONS, drawVector, drawWarehouse, type RgbImage } from '../src/record/envFrames.js';
import { PANEL_WIDTH, panelSvg, type PanelData } from '../src/record/framePanel.js';
import { recordRun } from '../src/record/recordRun.js';
import { runTraining } from '../src/training/runTraining.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'apps/bench/dist/cli.js');

/** The GIF's frame count and screen size, decoded by a GIF reader (omggif), not by the encoder that wrote it. */
function decodeGif(path: string): { frames: number; width: number; height: number; delays: number[] } {
  const reader = new GifReader(readFileSync(path));
  const delays = Array.from({ length: reader.numFrames() }, (_, i) => reader.frameInfo(i).delay);
  return { frames: reader.numFrames(), width: reader.width, height: reader.height, delays };
}

/** The colour of pixel (x, y). */
const pixel = (image: RgbImage, x: number, y: number) => Array.from(image.rgb.subarray(3 * (y * image.width + x), 3 * (y * image.width + x) + 3));

/** The panels of steps (end cards excluded). */
const stepPanels = (panels: PanelData[]) => panels.filter((p) => p.ended === undefined);

describe('mempo record: a GIF of a run with its memory beside each frame', () => {
  let dir: string;
  let warehouseRim: string;
  let minigridRim: string;
  beforeAll(async () => {
    await useBackend('tensorflow');
    dir = mkdtempSync(join(tmpdir(), 'mempo-record-'));
    warehouseRim = join(dir, 'warehouse-rim');
    minigridRim = join(dir, 'minigrid-rim');
    // One update on two envs each: an initialised-and-barely-trained agent is all a recording needs.
    await runTraining({
      env: { family: 'warehouse', id: 'warehouse', flicker: 0 },
      memory: 'rim', preset: 'iam', seed: 1, core: { units: 5, k: 2, hidden: 8 },
      numEnvs: 2, totalSteps: 256, engine: 'eager', runDir: warehouseRim, progress: false,
      // Evaluated once, after its one update: best/ is that update's agent.
      evaluation: { every: 256, episodes: 1, deterministic: false },
    });
    await runTraining({
      env: { family: 'minigrid', id: 'MiniGrid-Empty-5x5-v0', flicker: 0 },
      memory: 'rim', preset: 'minigrid-rim', seed: 1, core: {},
      numEnvs: 2, totalSteps: 256, engine: 'eager', runDir: minigridRim, progress: false,
    });
  });

  it('records N episodes of a Warehouse RIM agent: frames, size, exactly k active units per step, flat tensors', async () => {
    const out = join(dir, 'wh.gif');
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const rec = await recordRun(warehouseRim, { episodes: 2, out, maxSteps: 6, fps: 10, onEpisode: (_e, i) => seen.push(i) });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([0, 1]);
    // Warehouse episodes are longer than 6 steps: each is cut, and shows 6 step frames and one end card.
    expect(rec.episodes.map((e) => [e.steps, e.ended])).toEqual([
      [6, 'cut at --max-steps'],
      [6, 'cut at --max-steps'],
    ]);
    const gif = decodeGif(out);
    expect(gif.frames).toBe(2 * (6 + 1));
    expect(rec.frames).toBe(gif.frames);
    // The 7×7 grid at 32 px per cell, then the panel.
    expect([gif.width, gif.height]).toEqual([7 * 32 + PANEL_WIDTH, rec.height]);
    // 10 fps = 10 hundredths per step frame; end cards are held 8 frame times.
    expect(gif.delays).toEqual([10, 10, 10, 10, 10, 10, 80, 10, 10, 10, 10, 10, 10, 80]);
    const steps = stepPanels(rec.panels);
    expect(steps.map((p) => [p.episode, p.step])).toEqual([1, 2].flatMap((e) => [0, 1, 2, 3, 4, 5].map((s) => [e, s])));
    for (const p of steps) {
      expect(p.rim!.active).toHaveLength(5);
      expect(p.rim!.active.filter((a) => a === 1)).toHaveLength(2);
      expect(p.rim!.active.every((a) => a === 0 || a === 1)).toBe(true);
      // Each unit's input attention is a distribution over the N = 1 input and the null element.
      expect(p.rim!.attention.map((row) => row.length)).toEqual([2, 2, 2, 2, 2]);
      for (const row of p.rim!.attention) expect(row[0]! + row[1]!).toBeCloseTo(1, 5);
      expect(p.probs!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(p.actionNames).toEqual(['up', 'down', 'left', 'right']);
      expect(Number.isFinite(p.value)).toBe(true);
    }
  });

  it('records a MiniGrid RIM agent from the worker rendering, greedy actions repeat for a seed', async () => {
    const out = join(dir, 'mg.gif');
    const rec = await recordRun(minigridRim, { episodes: 1, out, deterministic: true, maxSteps: 20 });
    const gif = decodeGif(out);
    // Empty-5x5 is 5 cells wide, drawn at 51 px per cell (about 256 px).
    expect(gif.width).toBe(5 * 51 + PANEL_WIDTH);
    expect(gif.height).toBeGreaterThanOrEqual(5 * 51);
    expect(gif.frames).toBe(rec.episodes[0]!.steps + 1);
    const steps = stepPanels(rec.panels);
    // minigrid-rim's RIM: U = 4 units, k = 3 active, one input (the conv encoder's single set element).
    for (const p of steps) {
      expect(p.rim!.active.filter((a) => a === 1)).toHaveLength(3);
      expect(p.rim!.attention.map((row) => row.length)).toEqual([2, 2, 2, 2]);
      expect(p.actionNames).toEqual(MINIGRID_ACTIONS);
      // Deterministic: the action is the policy's argmax.
      expect(p.probs![p.action!]).toBe(Math.max(...p.probs!));
    }
    const again = await recordRun(minigridRim, { episodes: 1, out: join(dir, 'mg2.gif'), deterministic: true, maxSteps: 20 });
    expect(stepPanels(again.panels).map((p) => p.action)).toEqual(steps.map((p) => p.action));
  });

  it('draws k filled unit cells and one attention cell per unit and input, and IAM heads as a grid', () => {
    const base: PanelData = { memory: 'rim', envId: 'x', episode: 1, episodes: 1, step: 0, returnSoFar: 0, value: 0.5, probs: [0.25, 0.75], action: 1 };
    const rim = panelSvg({ ...base, rim: { active: [1, 0, 1, 0, 1], attention: Array.from({ length: 5 }, () => [0.3, 0.7]) } }, 0).svg;
    expect(rim.match(/fill="#d95f02"/g)).toHaveLength(3);
    expect(rim).toContain('RIM active units (k = 3 of U = 5)');
    // 5 units × (1 input + null) heatmap cells; 0.7 is drawn with the fixed scale's colour, not a fitted one.
    expect(rim.match(/height="18" fill="#/g)).toHaveLength(10);
    const iam = panelSvg({ ...base, memory: 'iam', iamAttention: [Array.from({ length: 49 }, (_, i) => i / 48)] }, 0).svg;
    expect(iam).toContain('IAM attention, 49 regions (scale 0–1)');
    expect(iam).toContain('max 1.000, uniform 1/N = 0.020');
    expect(iam.match(/width="12.00" height="12" fill="#/g)).toHaveLength(49);
  });

  it('draws the Warehouse from its observation and a vector observation as bars', () => {
    const obs = new Float32Array(WAREHOUSE_OBS_SIZE);
    obs[robotObsIndex(3, 2)] = 1;
    obs[shelfObsIndex(0, 4)] = 1;
    const image = drawWarehouse(obs);
    expect([image.width, image.height]).toEqual([224, 224]);
    // Cell centres (32 px cells): the robot blue, the item orange, an empty shelf and the floor their colours.
    expect(pixel(image, 2 * 32 + 16, 3 * 32 + 16)).toEqual([31, 119, 180]);
    expect(pixel(image, 4 * 32 + 16, 16)).toEqual([230, 120, 20]);
    expect(pixel(image, 5 * 32 + 16, 16)).toEqual([200, 184, 154]);
    expect(pixel(image, 3 * 32 + 16, 3 * 32 + 16)).toEqual([238, 238, 238]);
    // CartPole-like [4] vector: 64 px per entry, bars up for positive and down for negative values.
    const bars = drawVector(Float32Array.of(0.5, -2, 0, 1));
    expect([bars.width, bars.height]).toEqual([256, 256]);
    expect(pixel(bars, 32, 100)).toEqual([31, 119, 180]); // 0.5 of the largest magnitude 2 reaches 128 − 30
    expect(pixel(bars, 32, 90)).toEqual([255, 255, 255]);
    expect(pixel(bars, 96, 240)).toEqual([31, 119, 180]); // −2: the full bar (120 px) below the middle
    expect(pixel(bars, 96, 100)).toEqual([255, 255, 255]);
    // Taxi's 500-way one-hot (a flattened Discrete): a 23-wide grid of 11 px cells, entry 37 at row 1, column 14.
    const oneHot = new Float32Array(500);
    oneHot[37] = 1;
    const cells = drawVector(oneHot);
    expect([cells.width, cells.height]).toEqual([256, 256]);
    expect(pixel(cells, 14 * 11 + 5, 11 + 5)).toEqual([31, 119, 180]);
    expect(pixel(cells, 13 * 11 + 5, 11 + 5)).toEqual([255, 255, 255]);
    expect(pixel(cells, 14 * 11 + 10, 11 + 5)).toEqual([255, 255, 255]); // the 1 px gap
    // Negative entries shade towards orange, by magnitude over the largest (here 2): −1 is half way.
    const signed = new Float32Array(100);
    signed[0] = -2;
    signed[1] = -1;
    const halves = drawVector(signed);
    expect(pixel(halves, 12, 12)).toEqual([230, 120, 20]);
    expect(pixel(halves, 25 + 12, 12)).toEqual([243, 188, 138]);
  });

  it('records best/ with best: true, and names the fix for a run evaluated during training never', async () => {
    const rec = await recordRun(warehouseRim, { episodes: 1, out: join(dir, 'best.gif'), maxSteps: 2, best: true });
    expect(rec.update).toBe(JSON.parse(readFileSync(join(warehouseRim, 'best', 'meta.json'), 'utf8')).update);
    await expect(recordRun(minigridRim, { episodes: 1, out: join(dir, 'z.gif'), best: true })).rejects.toThrow(
      `${minigridRim} has no best/: it is written by evaluation during training (--eval-every N, or an EvalCallback); load the newest checkpoint instead`,
    );
  });

  it('refuses a folder that is not a run and a run without a checkpoint, naming the fix', async () => {
    const empty = join(dir, 'nothing');
    mkdirSync(empty);
    await expect(recordRun(empty, { episodes: 1, out: join(dir, 'x.gif') })).rejects.toThrow(
      `${empty} has no run.json: --run must be a folder written by a training command or a study`,
    );
    const untrained = join(dir, 'untrained');
    mkdirSync(untrained);
    writeFileSync(join(untrained, 'run.json'), readFileSync(join(warehouseRim, 'run.json')));
    writeFileSync(join(untrained, 'config.json'), readFileSync(join(warehouseRim, 'config.json')));
    await expect(recordRun(untrained, { episodes: 1, out: join(dir, 'y.gif') })).rejects.toThrow(
      `${untrained} has no checkpoint yet: train the run first (it is resumed from the same folder)`,
    );
  });

  it('the built CLI names a bad --run and bad flags before loading a backend, and a missing Python env', () => {
    execFileSync('npx', ['nx', 'run', 'bench:build'], { cwd: ROOT, stdio: 'ignore' });
    const mempo = (...args: string[]) => spawnSync(process.execPath, [CLI, 'record', ...args], { cwd: ROOT, encoding: 'utf8' });
    const missing = join(dir, 'no-such-run');
    const bad = mempo('--run', missing);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(`error: ${missing} has no run.json: --run must be a folder written by a training command or a study\n`);
    expect(mempo('--run', warehouseRim, '--fps', '0').stderr).toContain("--fps must be an integer in 1..50 (got '0')");
    expect(mempo('--run', warehouseRim, '--episodes', '0').stderr).toContain("--episodes must be a positive integer");
    // A MiniGrid run on a machine without the Python env: the bridge names the fix.
    const noPython = spawnSync(process.execPath, [CLI, 'record', '--run', minigridRim], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, MEMPO_PYTHON: join(dir, 'no-python') },
    });
    expect(noPython.status).toBe(1);
    expect(noPython.stderr).toContain(`error: no Python interpreter at ${join(dir, 'no-python')}: run 'npm run setup' (or set MEMPO_PYTHON)`);
  });
});
