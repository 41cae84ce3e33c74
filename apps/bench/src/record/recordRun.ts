import * as tf from '@tensorflow/tfjs-core';
import { Rng, obsTensor, writeFileAtomic, type ActorCritic } from '@mempo/ppo';
import { loadRun } from '../evaluateRun.js';
import { actionNames, envFrameSource } from './envFrames.js';
import { panelSvg, rasterisePanel, type PanelData, type RimPanelData } from './framePanel.js';
import { GifVideo } from './gifVideo.js';

/** Options of {@link recordRun}. */
export interface RecordOptions {
  /** Episodes to play (each one to its end, or to `maxSteps`). */
  episodes: number;
  /** Where the GIF goes (written atomically). */
  out: string;
  /** Argmax actions instead of sampled ones. Default false. */
  deterministic?: boolean;
  /** The agent of `best/` (the best evaluation during training, `--eval-every`) instead of the newest checkpoint. Default false. */
  best?: boolean;
  /** Seed of the env reset and the action sampling; default 10 000 + the run's seed (as `evaluate`). */
  seed?: number;
  /** Longest episode recorded, in steps; a longer one is cut there and the next begins. Default 500. */
  maxSteps?: number;
  /** Frames per second of the video. Default 8. */
  fps?: number;
  /** Called after each episode. */
  onEpisode?: (summary: RecordedEpisode, index: number) => void;
}

/** One recorded episode. */
export interface RecordedEpisode {
  return: number;
  steps: number;
  ended: NonNullable<PanelData['ended']>;
}

/** What {@link recordRun} wrote. */
export interface Recording {
  path: string;
  bytes: number;
  width: number;
  height: number;
  /** GIF frames: one per step, plus one end card per episode. */
  frames: number;
  episodes: RecordedEpisode[];
  /** The data each frame's panel drew, in frame order (what tests check instead of pixels). */
  panels: PanelData[];
  /** The checkpoint's update number. */
  update: number;
}

/** An end card is held this many frame times, so the episode's return can be read. */
const END_CARD_FRAMES = 8;

/** One step of the agent on one env with dropout off: policy, value, action and the core's diagnostics. */
interface Decision {
  probs: number[];
  value: number;
  action: number;
  state: tf.Tensor[];
  rim?: RimPanelData;
  iamAttention?: number[][];
}

/** Rows of a `[1, R, C]` diagnostic as R arrays of C values. */
function rows(t: tf.Tensor): number[][] {
  const [, r, c] = t.shape as [number, number, number];
  const flat = Array.from(t.dataSync());
  return Array.from({ length: r }, (_, i) => flat.slice(i * c, (i + 1) * c));
}

function decide(agent: ActorCritic, obs: tf.Tensor, state: tf.Tensor[], start: boolean, deterministic: boolean, rng: Rng): Decision {
  const starts = tf.tensor1d([start ? 1 : 0]);
  const out = agent.step(obs, state, starts, false);
  const probsT = tf.softmax(out.logits);
  const probs = Array.from(probsT.dataSync());
  const value = out.values.dataSync()[0]!;
  const d = out.diagnostics ?? {};
  // RIM reports `activeMask` [B, U] and `inputAttention` [B, U, N+1]; IAM (dynamic) `alpha` [B, heads, N].
  const rim = d['activeMask'] && d['inputAttention'] ? { active: Array.from(d['activeMask'].dataSync()), attention: rows(d['inputAttention']) } : undefined;
  const iamAttention = d['alpha'] ? rows(d['alpha']) : undefined;
  tf.dispose([starts, probsT, out.logits, out.values, ...Object.values(d)]);
  let action = 0;
  if (deterministic) {
    for (let a = 1; a < probs.length; a++) if (probs[a]! > probs[action]!) action = a;
  } else {
    // Inverse CDF of one uniform draw; rounding can leave the sum a hair below 1, so the last action takes the rest.
    const u = rng.next();
    let cumulative = 0;
    action = probs.length - 1;
    for (let a = 0; a < probs.length; a++) {
      cumulative += probs[a]!;
      if (u < cumulative) {
        action = a;
        break;
      }
    }
  }
  return { probs, value, action, state: out.state, ...(rim ? { rim } : {}), ...(iamAttention ? { iamAttention } : {}) };
}

/**
 * Records a run's agent (newest checkpoint, {@link loadRun}) playing `episodes` episodes on its training env,
 * one env, as a GIF: each frame shows the env beside a panel with the episode, step, return so far, V(s),
 * the policy, and the core's own view of the step: RIM's active units and input attention, IAM's influence
 * attention (the README, "Commands"). Tensor counts stay flat (every step's tensors are disposed).
 */
export async function recordRun(runDir: string, options: RecordOptions): Promise<Recording> {
  const maxSteps = options.maxSteps ?? 500;
  const delayMs = Math.round(1000 / (options.fps ?? 8));
  const loaded = await loadRun(runDir, undefined, 1, options.best === true ? 'best' : 'latest');
  const { agent, env, spec } = loaded;
  const frameOf = envFrameSource(spec.env.family, env);
  const names = actionNames(spec.env.family, env);
  const video = new GifVideo();
  const panels: PanelData[] = [];
  const episodes: RecordedEpisode[] = [];
  const seed = options.seed ?? 10_000 + spec.seed;
  const rng = new Rng(seed);
  let state = agent.core.initialState(1);
  try {
    let obs = await env.reset(seed);
    for (let e = 0; e < options.episodes; e++) {
      let returnSoFar = 0;
      let ended: RecordedEpisode['ended'] | undefined;
      let step = 0;
      let picture = await frameOf(obs);
      const base = { memory: spec.memory, envId: spec.env.id, episode: e + 1, episodes: options.episodes, ...(names ? { actionNames: names } : {}) };
      while (ended === undefined) {
        const x = obsTensor(obs, 1, env.observationSpace.shape);
        const decision = decide(agent, x, state, step === 0, options.deterministic === true, rng);
        x.dispose();
        tf.dispose(state);
        state = decision.state;
        const { probs, value, action, rim, iamAttention } = decision;
        const panel: PanelData = { ...base, step, returnSoFar, probs, value, action, ...(rim ? { rim } : {}), ...(iamAttention ? { iamAttention } : {}) };
        panels.push(panel);
        video.addFrame(picture, rasterisePanel(panelSvg(panel, video.height).svg), delayMs);
        const result = await env.step(Int32Array.of(decision.action));
        returnSoFar += result.reward[0]!;
        step++;
        if (result.terminated[0]) ended = 'terminated';
        else if (result.truncated[0]) ended = 'truncated';
        else if (step >= maxSteps) ended = 'cut at --max-steps';
        obs = result.obs;
        // After the last step the env has already started the next episode (same-step autoreset), so the
        // end card keeps the episode's last picture.
        if (ended === undefined) picture = await frameOf(obs);
      }
      const card: PanelData = { ...base, step, returnSoFar, ended };
      panels.push(card);
      video.addFrame(picture, rasterisePanel(panelSvg(card, video.height).svg), delayMs * END_CARD_FRAMES);
      const summary = { return: returnSoFar, steps: step, ended };
      episodes.push(summary);
      options.onEpisode?.(summary, e);
      if (ended === 'cut at --max-steps' && e + 1 < options.episodes) {
        // The cut episode is still running in the env: start the next one from a reset and a zeroed memory.
        obs = await env.reset();
      }
    }
    const bytes = video.finish();
    writeFileAtomic(options.out, bytes);
    return { path: options.out, bytes: bytes.length, width: video.width, height: video.height, frames: video.frames, episodes, panels, update: loaded.update };
  } finally {
    tf.dispose(state);
    await loaded.close();
  }
}
