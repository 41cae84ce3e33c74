import {
  GymBridgeEnv,
  NativeAtariEnv,
  SHELF_CELLS,
  WAREHOUSE_ITEM_OFFSET,
  WAREHOUSE_OBS_SIZE,
  WAREHOUSE_SIZE,
  type ObsArray,
  type VecEnv,
} from '@mempo/envs';
import type { EnvFamily } from '../training/memoryCores.js';

/** An RGB picture, 3 bytes per pixel, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** Draws env 0 of a one-env VecEnv as a person would watch it, given the observation the agent sees now. */
export type EnvFrameSource = (obs: ObsArray) => Promise<RgbImage>;

/** Env frames are drawn near this size (pixels on the longer side), so the panel beside them stays legible. */
const TARGET_SIDE = 256;

/** MiniGrid's action names (minigrid's `Actions` enum), in action order. */
export const MINIGRID_ACTIONS = ['left', 'right', 'forward', 'pickup', 'drop', 'toggle', 'done'] as const;
/** The Warehouse's moves (the Warehouse README, "Actions"): row −1, row +1, col −1, col +1. */
export const WAREHOUSE_ACTIONS = ['up', 'down', 'left', 'right'] as const;

/** ALE's `Action` enum, by id: the names of Atari actions. */
const ALE_ACTION_NAMES = [
  'NOOP', 'FIRE', 'UP', 'RIGHT', 'LEFT', 'DOWN', 'UPRIGHT', 'UPLEFT', 'DOWNRIGHT', 'DOWNLEFT',
  'UPFIRE', 'RIGHTFIRE', 'LEFTFIRE', 'DOWNFIRE', 'UPRIGHTFIRE', 'UPLEFTFIRE', 'DOWNRIGHTFIRE', 'DOWNLEFTFIRE',
] as const;

/**
 * Action names where the env defines them: MiniGrid's and the Warehouse's, and an Atari game's minimal action
 * set when it runs in the native ALE addon (the bridge does not report it, so bridged Atari shows indices).
 */
export function actionNames(family: EnvFamily, env: VecEnv): readonly string[] | undefined {
  if (family === 'minigrid') return MINIGRID_ACTIONS;
  if (family === 'warehouse') return WAREHOUSE_ACTIONS;
  if (env instanceof NativeAtariEnv) return env.aleActions.map((id) => ALE_ACTION_NAMES[id] ?? `#${id}`);
  return undefined;
}

/**
 * The frame source of a family:
 * - MiniGrid: the worker's full-grid rendering (`GymBridgeEnv.render`), with a tile size that makes the grid
 *   about 256 px (a 5×5 grid at 51 px per cell, a 16×16 one at 16).
 * - Atari: the newest frame of the observation (84×84 grey, the last of an oldest-first stack), enlarged 3×.
 *   It is what the agent sees, flickered frames black included.
 * - Warehouse: the grid drawn from the observation's newest 73 values (the robot bit and the 24 item bits).
 */
export function envFrameSource(family: EnvFamily, env: VecEnv): EnvFrameSource {
  switch (family) {
    case 'minigrid': {
      if (!(env instanceof GymBridgeEnv)) throw new Error('a MiniGrid env must be a GymBridgeEnv to be rendered');
      let tile: number | undefined;
      return async () => {
        if (tile === undefined) {
          const probe = await env.render(0, 8);
          const cells = Math.max(probe.width, probe.height) / 8;
          tile = Math.max(8, Math.min(64, Math.floor(TARGET_SIDE / cells)));
        }
        const { rgb, width, height } = await env.render(0, tile);
        return { rgb, width, height };
      };
    }
    case 'atari':
      return newestGreyFrame(env.observationSpace.shape);
    case 'warehouse':
      // A FrameStack puts the newest observation first (`newest-first`, training/environments.ts).
      return async (obs) => drawWarehouse(obs.subarray(0, WAREHOUSE_OBS_SIZE));
    case 'gym': {
      // What the bridge sends for any gymnasium env (the envs README, "Any gymnasium env"): MiniGrid codes
      // (rendered by the worker), a grayscale [1, 84, 84] picture, or a vector (drawn as bars).
      const shape = env.observationSpace.shape;
      if (shape.join() === '7,7,3') return envFrameSource('minigrid', env);
      if (shape.length === 3) return newestGreyFrame(shape);
      return async (obs) => drawVector(obs);
    }
  }
}

/** The newest frame of an oldest-first stack `[k, h, w]` of grey frames, enlarged to about 256 px. */
function newestGreyFrame(shape: readonly number[]): EnvFrameSource {
  const [stack, h, w] = shape as [number, number, number];
  return async (obs) => upscale(greyToRgb(obs.subarray((stack - 1) * h * w, stack * h * w), w, h), Math.max(1, Math.floor(TARGET_SIDE / Math.max(w, h))));
}

/** Up to this many entries a vector is drawn as bars (at least 4 px each); a longer one as a grid of cells. */
const MAX_BARS = TARGET_SIDE / 4;

/**
 * A vector observation as a picture, scaled by the largest magnitude in it (at least 1), so an env without a
 * picture still shows what the agent reads. A short vector (CartPole's 4 numbers) is one bar per entry around a
 * middle line; a long one (a flattened Discrete such as Taxi's 500-way one-hot) is a square grid of cells in
 * entry order, row by row, shaded from white towards blue (positive) or orange (negative).
 */
export function drawVector(obs: ObsArray): RgbImage {
  let scale = 1;
  for (const v of obs) scale = Math.max(scale, Math.abs(v));
  if (obs.length > MAX_BARS) return drawCells(obs, scale);
  const side = TARGET_SIDE;
  const image = blank(side);
  const mid = side / 2;
  const slot = Math.floor(side / obs.length);
  obs.forEach((v, i) => {
    const h = Math.round((Math.abs(v) / scale) * (mid - 8));
    if (h > 0) fillRect(image, i * slot + 2, v >= 0 ? mid - h : mid, Math.max(1, slot - 4), h, ROBOT);
  });
  fillRect(image, 0, mid, side, 1, LINE);
  return image;
}

/**
 * `drawVector` for a long vector: ⌈√n⌉ cells a row, with a 1 px gap once cells are 4 px; a vector too long for
 * 1 px cells in 256 px gets a larger picture rather than losing entries.
 */
function drawCells(obs: ObsArray, scale: number): RgbImage {
  const columns = Math.ceil(Math.sqrt(obs.length));
  const cell = Math.max(1, Math.floor(TARGET_SIDE / columns));
  const image = blank(Math.max(TARGET_SIDE, columns));
  const gap = cell >= 4 ? 1 : 0;
  obs.forEach((v, i) => {
    const colour = shade(v >= 0 ? ROBOT : ITEM, Math.abs(v) / scale);
    fillRect(image, (i % columns) * cell, Math.floor(i / columns) * cell, cell - gap, cell - gap, colour);
  });
  return image;
}

/** White moved a fraction `t` ∈ [0, 1] of the way towards `colour`. */
function shade(colour: Rgb, t: number): Rgb {
  const mix = (c: number): number => Math.round(255 + (c - 255) * t);
  return [mix(colour[0]), mix(colour[1]), mix(colour[2])];
}

function blank(side: number): RgbImage {
  return { width: side, height: side, rgb: new Uint8Array(side * side * 3).fill(255) };
}

function greyToRgb(grey: ObsArray, width: number, height: number): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i]!;
  return { width, height, rgb };
}

/** Nearest-neighbour enlargement by an integer factor. */
export function upscale(image: RgbImage, factor: number): RgbImage {
  if (factor === 1) return image;
  const width = image.width * factor;
  const height = image.height * factor;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const src = Math.floor(y / factor) * image.width;
    for (let x = 0; x < width; x++) rgb.set(image.rgb.subarray(3 * (src + Math.floor(x / factor)), 3 * (src + Math.floor(x / factor)) + 3), 3 * (y * width + x));
  }
  return { width, height, rgb };
}

type Rgb = readonly [number, number, number];
const CELL = 32;
const FLOOR = [238, 238, 238] as const;
const SHELF = [200, 184, 154] as const;
const ITEM = [230, 120, 20] as const;
const ROBOT = [31, 119, 180] as const;
const LINE = [170, 170, 170] as const;

function fillRect(image: RgbImage, x0: number, y0: number, w: number, h: number, colour: Rgb): void {
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) image.rgb.set(colour, 3 * (y * image.width + x));
}

/**
 * The 7×7 Warehouse from one observation (the Warehouse README, "Observation"): shelves on the border (an item
 * waiting on a shelf is an orange square), the robot as a blue square on its cell.
 */
export function drawWarehouse(obs: ObsArray): RgbImage {
  const side = WAREHOUSE_SIZE * CELL;
  const image: RgbImage = { width: side, height: side, rgb: new Uint8Array(side * side * 3) };
  fillRect(image, 0, 0, side, side, LINE);
  for (let row = 0; row < WAREHOUSE_SIZE; row++) for (let col = 0; col < WAREHOUSE_SIZE; col++) fillRect(image, col * CELL + 1, row * CELL + 1, CELL - 2, CELL - 2, FLOOR);
  SHELF_CELLS.forEach(([row, col], s) => {
    fillRect(image, col * CELL + 1, row * CELL + 1, CELL - 2, CELL - 2, SHELF);
    if (obs[WAREHOUSE_ITEM_OFFSET + s]! > 0.5) fillRect(image, col * CELL + 8, row * CELL + 8, CELL - 16, CELL - 16, ITEM);
  });
  for (let cell = 0; cell < WAREHOUSE_SIZE * WAREHOUSE_SIZE; cell++) {
    if (obs[cell]! > 0.5) fillRect(image, (cell % WAREHOUSE_SIZE) * CELL + 5, Math.floor(cell / WAREHOUSE_SIZE) * CELL + 5, CELL - 10, CELL - 10, ROBOT);
  }
  return image;
}
