import { EpisodeTracker, type EpisodeTrackerState } from '../episodeStats.js';
import { STATE_FIX, assertStateReady, expectKind, expectSame, intArrayField, rngStatesField, stateObject } from '../envState.js';
import { assertOpen, assertReset, checkActions, checkSeed, freshSeed } from '../nativeEnv.js';
import { Random32 } from '../random.js';
import type { DiscreteActionSpace, ObservationSpace, ResumableVecEnv, StepInfo, VecStepResult } from '../vecEnv.js';
import {
  CELL_TO_SHELF,
  SPAWN_ORDER,
  WAREHOUSE_ITEM_OFFSET,
  WAREHOUSE_OBS_SIZE,
  WAREHOUSE_SHELVES,
  WAREHOUSE_SIZE,
} from './layout.js';

/** Options of the {@link Warehouse} environment. */
export interface WarehouseArgs {
  /** Number of envs P stepped together. */
  numEnvs: number;
  /**
   * Reproduce the original's removal bug (the Warehouse README): it removed items from a list while iterating
   * it, so the item after each removed one is skipped that step (≈5% of items live one step longer, ≈9% of
   * collected items stay and can pay again). Default false: the clean rules. Record which one a run used.
   */
  legacyItemRemoval?: boolean;
  /** Steps per episode. Default 100. */
  episodeLength?: number;
  /** Per-draw spawn probability of a free shelf cell. Default 0.05 (corners are drawn twice). */
  spawnProbability?: number;
  /** An item is removed when its age reaches this; it is visible for that many observations. Default 8. */
  itemLifetime?: number;
  /**
   * Report the time limit as `terminated` (true, default: the original treats it as terminal, so PPO does not
   * bootstrap) or as `truncated` (false).
   */
  timeLimitIsTerminal?: boolean;
}

/**
 * The JSON state of a {@link Warehouse} ({@link Warehouse.getState}): the args it was built with (a state only
 * continues an env built with the same ones) and everything that decides its future outputs.
 */
export interface WarehouseState {
  kind: 'Warehouse';
  numEnvs: number;
  legacyItemRemoval: boolean;
  episodeLength: number;
  spawnProbability: number;
  itemLifetime: number;
  timeLimitIsTerminal: boolean;
  /** `[P]` robot row and column. */
  row: number[];
  col: number[];
  /** `[P]` steps taken in the current episode, `0 .. episodeLength - 1`. */
  time: number[];
  /** `[P·24]` age of the item on each shelf, −1 when empty. */
  age: number[];
  /** `[P][count]` shelves holding an item, in insertion order (it decides the legacy removal rule's skips). */
  items: number[][];
  /** `[P]` Random32 state of each env's stream. */
  rng: number[];
  /** Running return and length of each env's current episode. */
  tracker: EpisodeTrackerState;
}

/** A {@link VecStepResult} whose observation is the Warehouse's float32 `[P, 73]`. */
export type WarehouseStepResult = Omit<VecStepResult, 'obs'> & { obs: Float32Array };

const NAME = 'Warehouse';
const CENTRE = (WAREHOUSE_SIZE - 1) / 2;
const NUM_ACTIONS = 4;
/** Actions: 0 up (row−1), 1 down (row+1), 2 left (col−1), 3 right (col+1). */
const D_ROW = Int32Array.of(-1, 1, 0, 0);
const D_COL = Int32Array.of(0, 0, -1, 1);
const NO_ITEM = -1;

/**
 * The 7×7 Warehouse of the IAM paper (the Warehouse README) as a batched, same-step-autoreset {@link VecEnv}.
 * Pure TypeScript on typed arrays. Observation `[P, 73]` float32 (0/1): robot one-hot at `7·row + col`,
 * then the 24 item bits (see `SHELF_CELLS`). Env i of a batch reset with `seed` draws from `seed + i`;
 * autoresets continue that env's stream. `reset()` without a seed picks a fresh one. Resumable:
 * `getState()` / `setState()` save and restore every episode in flight exactly ({@link WarehouseState}).
 *
 * ```ts
 * const env = new Warehouse({ numEnvs: 8 });
 * let obs = await env.reset(1);                        // Float32Array [8 * 73]
 * const { reward, terminated, info } = await env.step(new Int32Array(8).fill(0));
 * for (const ep of info.episodes) console.log(ep.env, ep.return);
 * const saved = JSON.stringify(env.getState());        // e.g. in a checkpoint
 * ```
 */
export class Warehouse implements ResumableVecEnv {
  readonly numEnvs: number;
  readonly observationSpace: ObservationSpace = { shape: [WAREHOUSE_OBS_SIZE], dtype: 'float32' };
  readonly actionSpace: DiscreteActionSpace = { kind: 'discrete', n: NUM_ACTIONS };
  readonly legacyItemRemoval: boolean;
  readonly episodeLength: number;
  readonly spawnProbability: number;
  readonly itemLifetime: number;
  readonly timeLimitIsTerminal: boolean;

  private readonly row: Int32Array;
  private readonly col: Int32Array;
  private readonly time: Int32Array;
  /** [P, 24] age of the item on each shelf, −1 when empty. */
  private readonly age: Int32Array;
  /** [P, 24] shelf indices of the present items in insertion order (the original's item list). */
  private readonly items: Int32Array;
  private readonly itemCount: Int32Array;
  private rngs: Random32[] = [];
  private readonly tracker: EpisodeTracker;
  private wasReset = false;
  private closed = false;

  constructor(args: WarehouseArgs) {
    const { numEnvs, legacyItemRemoval = false, episodeLength = 100, spawnProbability = 0.05, itemLifetime = 8 } = args;
    if (!Number.isInteger(numEnvs) || numEnvs < 1)
      throw new Error(`numEnvs must be a positive integer (got numEnvs=${numEnvs})`);
    if (!Number.isInteger(episodeLength) || episodeLength < 1)
      throw new Error(`episodeLength must be a positive integer (got episodeLength=${episodeLength})`);
    if (!(spawnProbability >= 0 && spawnProbability <= 1))
      throw new Error(`spawnProbability must be in [0, 1] (got spawnProbability=${spawnProbability})`);
    if (!Number.isInteger(itemLifetime) || itemLifetime < 1)
      throw new Error(`itemLifetime must be a positive integer (got itemLifetime=${itemLifetime})`);
    this.numEnvs = numEnvs;
    this.legacyItemRemoval = legacyItemRemoval;
    this.episodeLength = episodeLength;
    this.spawnProbability = spawnProbability;
    this.itemLifetime = itemLifetime;
    this.timeLimitIsTerminal = args.timeLimitIsTerminal ?? true;
    this.row = new Int32Array(numEnvs);
    this.col = new Int32Array(numEnvs);
    this.time = new Int32Array(numEnvs);
    this.age = new Int32Array(numEnvs * WAREHOUSE_SHELVES);
    this.items = new Int32Array(numEnvs * WAREHOUSE_SHELVES);
    this.itemCount = new Int32Array(numEnvs);
    this.tracker = new EpisodeTracker(numEnvs);
  }

  /** Resets every env: robot at the centre, no items, one spawn pass. Env i is seeded with `seed + i`. */
  async reset(seed?: number): Promise<Float32Array> {
    assertOpen(NAME, this.closed);
    const base = seed ?? freshSeed();
    checkSeed(NAME, base);
    this.rngs = Array.from({ length: this.numEnvs }, (_, i) => new Random32(base + i));
    this.tracker.clear();
    const obs = new Float32Array(this.numEnvs * WAREHOUSE_OBS_SIZE);
    for (let i = 0; i < this.numEnvs; i++) {
      this.resetEnv(i);
      this.observe(i, obs, i * WAREHOUSE_OBS_SIZE);
    }
    this.wasReset = true;
    return obs;
  }

  /** One step of every env (the Warehouse README, "One step"); actions `[P]` in 0..3. */
  async step(actions: Int32Array): Promise<WarehouseStepResult> {
    return this.stepSync(actions);
  }

  /** {@link step} without the Promise, for tight loops (benchmarks, scripted policies). */
  stepSync(actions: Int32Array): WarehouseStepResult {
    assertOpen(NAME, this.closed);
    assertReset(NAME, this.wasReset);
    checkActions(NAME, actions, this.numEnvs, NUM_ACTIONS);
    const P = this.numEnvs;
    const obs = new Float32Array(P * WAREHOUSE_OBS_SIZE);
    const reward = new Float32Array(P);
    const terminated = new Uint8Array(P);
    const truncated = new Uint8Array(P);
    const info: StepInfo = { episodes: [], finalObs: new Map() };
    for (let i = 0; i < P; i++) reward[i] = this.stepEnv(i, actions[i]!);
    this.tracker.add(reward);
    for (let i = 0; i < P; i++) {
      const offset = i * WAREHOUSE_OBS_SIZE;
      if (this.time[i]! < this.episodeLength) {
        this.observe(i, obs, offset);
        continue;
      }
      const final = new Float32Array(WAREHOUSE_OBS_SIZE);
      this.observe(i, final, 0);
      info.finalObs.set(i, final);
      info.episodes.push(this.tracker.finish(i));
      if (this.timeLimitIsTerminal) terminated[i] = 1;
      else truncated[i] = 1;
      this.resetEnv(i);
      this.observe(i, obs, offset);
    }
    return { obs, reward, terminated, truncated, info };
  }

  /**
   * Ages of the items of env i by shelf index (`[24]`, −1 = no item), a copy. For tests, rendering and
   * scripted policies; the agent sees only the item bits.
   */
  itemAges(env: number): Int32Array {
    this.checkEnv(env);
    return this.age.slice(env * WAREHOUSE_SHELVES, (env + 1) * WAREHOUSE_SHELVES);
  }

  /** Robot cell `[row, col]` of env i. */
  robotCell(env: number): [number, number] {
    this.checkEnv(env);
    return [this.row[env]!, this.col[env]!];
  }

  /** Everything that decides the env's future outputs, as plain JSON (see {@link WarehouseState}). */
  getState(): WarehouseState {
    assertOpen(NAME, this.closed);
    assertStateReady(NAME, this.wasReset);
    const S = WAREHOUSE_SHELVES;
    return {
      kind: 'Warehouse',
      numEnvs: this.numEnvs,
      legacyItemRemoval: this.legacyItemRemoval,
      episodeLength: this.episodeLength,
      spawnProbability: this.spawnProbability,
      itemLifetime: this.itemLifetime,
      timeLimitIsTerminal: this.timeLimitIsTerminal,
      row: Array.from(this.row),
      col: Array.from(this.col),
      time: Array.from(this.time),
      age: Array.from(this.age),
      items: Array.from({ length: this.numEnvs }, (_, i) => Array.from(this.items.subarray(i * S, i * S + this.itemCount[i]!))),
      rng: this.rngs.map((r) => r.state),
      tracker: this.tracker.getState(),
    };
  }

  /**
   * Restores a {@link getState} result of a Warehouse built with the same args; no `reset()` is needed before
   * it. The whole state is validated first: on a bad one this throws (naming the field) and changes nothing.
   */
  setState(value: unknown): void {
    assertOpen(NAME, this.closed);
    const owner = `${NAME}.setState`;
    const state = stateObject(owner, 'state', value);
    expectKind(owner, state, NAME);
    for (const field of ['numEnvs', 'legacyItemRemoval', 'episodeLength', 'spawnProbability', 'itemLifetime', 'timeLimitIsTerminal'] as const)
      expectSame(owner, state, 'state', field, this[field]);
    const P = this.numEnvs;
    const S = WAREHOUSE_SHELVES;
    const last = WAREHOUSE_SIZE - 1;
    const row = intArrayField(owner, state, 'state', 'row', P, 0, last);
    const col = intArrayField(owner, state, 'state', 'col', P, 0, last);
    const time = intArrayField(owner, state, 'state', 'time', P, 0, this.episodeLength - 1);
    const age = intArrayField(owner, state, 'state', 'age', P * S, NO_ITEM, 0x7fffffff);
    const items = this.checkItems(owner, state.items, age);
    const rng = rngStatesField(owner, state, 'state', 'rng', P);
    const tracker = this.tracker.checkState(state.tracker, owner, 'state.tracker');
    this.row.set(row);
    this.col.set(col);
    this.time.set(time);
    this.age.set(age);
    items.forEach((list, i) => {
      this.items.set(list, i * S);
      this.itemCount[i] = list.length;
    });
    this.rngs = rng.map((s) => Random32.fromState(s));
    this.tracker.setState(tracker);
    this.wasReset = true;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** `state.items`: per env, each shelf whose age is ≥ 0 exactly once (the item list and ages must agree). */
  private checkItems(owner: string, value: unknown, age: number[]): number[][] {
    if (!Array.isArray(value) || value.length !== this.numEnvs)
      throw new Error(`${owner}: state.items must be an array of ${this.numEnvs} shelf lists (one per env); ${STATE_FIX}`);
    return value.map((list: unknown, i) => {
      const base = i * WAREHOUSE_SHELVES;
      const occupied = age.slice(base, base + WAREHOUSE_SHELVES).filter((a) => a !== NO_ITEM).length;
      const ok =
        Array.isArray(list) &&
        list.length === occupied &&
        new Set(list).size === list.length &&
        list.every((s) => Number.isInteger(s) && s >= 0 && s < WAREHOUSE_SHELVES && age[base + (s as number)] !== NO_ITEM);
      if (!ok)
        throw new Error(
          `${owner}: state.items[${i}] must list each shelf of env ${i} whose state.age is ≥ 0 exactly once (${occupied} shelves); ${STATE_FIX}`,
        );
      return list as number[];
    });
  }

  private checkEnv(env: number): void {
    assertOpen(NAME, this.closed);
    if (!Number.isInteger(env) || env < 0 || env >= this.numEnvs)
      throw new Error(`env must be in 0..${this.numEnvs - 1} (got env=${env})`);
  }

  private resetEnv(i: number): void {
    this.row[i] = CENTRE;
    this.col[i] = CENTRE;
    this.time[i] = 0;
    this.age.fill(NO_ITEM, i * WAREHOUSE_SHELVES, (i + 1) * WAREHOUSE_SHELVES);
    this.itemCount[i] = 0;
    this.spawn(i);
  }

  /** Steps 1–5 of the Warehouse README for env i; returns the reward. */
  private stepEnv(i: number, action: number): number {
    const last = WAREHOUSE_SIZE - 1;
    const row = Math.min(last, Math.max(0, this.row[i]! + D_ROW[action]!));
    const col = Math.min(last, Math.max(0, this.col[i]! + D_COL[action]!));
    this.row[i] = row;
    this.col[i] = col;
    const base = i * WAREHOUSE_SHELVES;
    const count = this.itemCount[i]!;
    for (let k = 0; k < count; k++) this.age[base + this.items[base + k]!]! += 1;
    const robotShelf = CELL_TO_SHELF[row * WAREHOUSE_SIZE + col]!;
    const reward = robotShelf >= 0 && this.age[base + robotShelf]! !== NO_ITEM ? 1 : 0;
    // Collection (step 3) and expiry (step 4) in one pass over the item list, in insertion order. The
    // legacy rule skips the element after each removal, as Python's `for x in list: list.remove(x)` does.
    let kept = 0;
    let skip = false;
    for (let k = 0; k < count; k++) {
      const s = this.items[base + k]!;
      const remove: boolean = !skip && (s === robotShelf || this.age[base + s]! >= this.itemLifetime);
      skip = remove && this.legacyItemRemoval;
      if (remove) this.age[base + s] = NO_ITEM;
      else this.items[base + kept++] = s;
    }
    this.itemCount[i] = kept;
    this.spawn(i);
    this.time[i]! += 1;
    return reward;
  }

  /** Step 5: 28 draws in SPAWN_ORDER, one per listed cell whether free or not, so traces stay stable. */
  private spawn(i: number): void {
    const rng = this.rngs[i]!;
    const base = i * WAREHOUSE_SHELVES;
    for (let k = 0; k < SPAWN_ORDER.length; k++) {
      const u = rng.next();
      const s = SPAWN_ORDER[k]!;
      if (u < this.spawnProbability && this.age[base + s] === NO_ITEM) {
        this.age[base + s] = 0;
        this.items[base + this.itemCount[i]!] = s;
        this.itemCount[i]! += 1;
      }
    }
  }

  private observe(i: number, out: Float32Array, offset: number): void {
    out.fill(0, offset, offset + WAREHOUSE_OBS_SIZE);
    out[offset + this.row[i]! * WAREHOUSE_SIZE + this.col[i]!] = 1;
    const base = i * WAREHOUSE_SHELVES;
    const count = this.itemCount[i]!;
    for (let k = 0; k < count; k++) out[offset + WAREHOUSE_ITEM_OFFSET + this.items[base + k]!] = 1;
  }
}
