import type { StepInfo, VecEnv, VecStepResult } from '@mempo/envs';
import { Rng } from '../rng.js';

interface EnvState {
  rng: number[][];
  time: number[];
  length: number[];
  cue: number[];
  episodeReturn: number[];
}

/**
 * A test env with random episode lengths (1..maxLength) and the ability to save its state (ResumableVecEnv).
 * Obs `[cue, time / 10, first]`; reward 1 when the action equals the cue at the last step of an episode.
 * Some episodes end by truncation (odd lengths), the others by termination.
 */
export class RandomEpisodeEnv implements VecEnv {
  readonly observationSpace = { shape: [3], dtype: 'float32' as const };
  readonly actionSpace = { kind: 'discrete' as const, n: 2 };
  private s: EnvState = { rng: [], time: [], length: [], cue: [], episodeReturn: [] };
  private rngs: Rng[] = [];

  constructor(
    readonly numEnvs: number,
    readonly maxLength: number,
  ) {}

  async reset(seed = 0): Promise<Float32Array> {
    this.rngs = Array.from({ length: this.numEnvs }, (_, i) => new Rng(seed + i));
    this.s = { rng: [], time: [], length: [], cue: [], episodeReturn: [] };
    for (let i = 0; i < this.numEnvs; i++) this.start(i);
    return this.observe();
  }

  async step(actions: Int32Array): Promise<VecStepResult> {
    const P = this.numEnvs;
    const reward = new Float32Array(P);
    const terminated = new Uint8Array(P);
    const truncated = new Uint8Array(P);
    const info: StepInfo = { episodes: [], finalObs: new Map() };
    for (let i = 0; i < P; i++) {
      this.s.time[i]! += 1;
      if (this.s.time[i] === this.s.length[i]) {
        reward[i] = actions[i] === this.s.cue[i] ? 1 : 0;
        this.s.episodeReturn[i]! += reward[i]!;
        if (this.s.length[i]! % 2 === 1) truncated[i] = 1;
        else terminated[i] = 1;
        info.finalObs.set(i, new Float32Array([this.s.cue[i]!, this.s.time[i]! / 10, 0]));
        info.episodes.push({ env: i, return: this.s.episodeReturn[i]!, length: this.s.length[i]! });
        this.start(i);
      }
    }
    return { obs: this.observe(), reward, terminated, truncated, info };
  }

  async close(): Promise<void> {}

  /** Step within the current episode of env i (0 at its first obs). */
  timeOf(i: number): number {
    return this.s.time[i]!;
  }

  getState(): unknown {
    return { ...this.s, rng: this.rngs.map((r) => r.getState()) };
  }

  setState(state: unknown): void {
    const s = structuredClone(state) as EnvState;
    this.rngs = s.rng.map((r) => new Rng(0).setState(r));
    this.s = s;
  }

  private start(i: number): void {
    this.s.time[i] = 0;
    this.s.length[i] = 1 + this.rngs[i]!.int(this.maxLength);
    this.s.cue[i] = this.rngs[i]!.int(2);
    this.s.episodeReturn[i] = 0;
  }

  private observe(): Float32Array {
    const obs = new Float32Array(this.numEnvs * 3);
    for (let i = 0; i < this.numEnvs; i++) obs.set([this.s.time[i] === 0 ? this.s.cue[i]! : 0, this.s.time[i]! / 10, this.s.time[i] === 0 ? 1 : 0], i * 3);
    return obs;
  }
}
