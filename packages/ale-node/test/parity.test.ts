import { describe, expect, it } from 'vitest';
import { AleVectorEnv } from '../src/index.js';
import { firstDifference, randomActions, recordAlePy, recordNative } from './aleParity.js';

const STEPS = 2000;
const P = 4;

// Frame for frame against ale-py's AtariVectorEnv (the same ALE 0.12.1 source, compiled with OpenCV's resize
// there and our shim here): per step, each env's observation digest, rewards, terminations, truncations,
// lives and episode frame numbers must be equal.
describe('AleVectorEnv equals ale-py AtariVectorEnv', () => {
  it(`Breakout, the bridge's settings (same-step autoreset, life-loss info, unclipped rewards), ${STEPS} steps × ${P}`, async () => {
    const n = new AleVectorEnv({ game: 'breakout', numEnvs: 1 });
    const actions = randomActions(STEPS, P, n.actionSet.length, 11);
    n.close();
    const native = recordNative(
      { game: 'breakout', numEnvs: P, autoresetMode: 'same-step', lifeLossInfo: true, rewardClipping: false },
      3,
      actions,
    );
    const alePy = await recordAlePy('breakout', P, 3, { autoreset_mode: 'SameStep', life_loss_info: true, reward_clipping: false }, actions);
    expect(firstDifference(native, alePy)).toBe(null);
    // Not a vacuous match: games ended (lives lost, games over) and points were scored.
    const terminations = native.slice(1).reduce((s, r) => s + r.terminated!.reduce((a, b) => a + b, 0), 0);
    const points = native.slice(1).reduce((s, r) => s + r.reward!.reduce((a, b) => a + b, 0), 0);
    const gamesOver = native.slice(1).reduce((s, r, t) => s + Object.keys(r.finalObs!).filter((e) => r.episodeFrame[+e]! < native[t]!.episodeFrame[+e]!).length, 0);
    expect(terminations).toBeGreaterThan(10);
    expect(gamesOver).toBeGreaterThan(2);
    expect(points).toBeGreaterThan(10);
  });

  it(`Pong, ale-py's defaults (next-step autoreset, clipped rewards) with sticky actions 0.25, ${STEPS} steps × ${P}`, async () => {
    const n = new AleVectorEnv({ game: 'pong', numEnvs: 1 });
    const actions = randomActions(STEPS, P, n.actionSet.length, 5);
    n.close();
    const native = recordNative({ game: 'pong', numEnvs: P, repeatActionProbability: 0.25 }, 100, actions);
    const alePy = await recordAlePy('pong', P, 100, { repeat_action_probability: 0.25 }, actions);
    expect(firstDifference(native, alePy)).toBe(null);
    const opponentPoints = native.slice(1).reduce((s, r) => s + r.reward!.filter((v) => v < 0).length, 0);
    expect(opponentPoints).toBeGreaterThan(20);
  });
});
