import { describe, expect, it } from 'vitest';
import { Random32 } from '../random.js';
import { CueMemoryTask } from './cueMemoryTask.js';

describe('CueMemoryTask', () => {
  it('shows the cue only at step 0 and the decision flag only at the last step', async () => {
    const env = new CueMemoryTask({ numEnvs: 2, numCues: 3, delay: 2 });
    let obs = await env.reset(5);
    const cues = [env.currentCue(0), env.currentCue(1)];
    for (let i = 0; i < 2; i++) expect([...obs.subarray(i * 4, i * 4 + 4)]).toEqual([0, 1, 2].map((c) => (c === cues[i] ? 1 : 0)).concat(0));
    obs = (await env.step(Int32Array.of(0, 0))).obs;
    expect([...obs]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    obs = (await env.step(Int32Array.of(0, 0))).obs;
    expect([...obs]).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);
    const last = await env.step(Int32Array.of(cues[0]!, (cues[1]! + 1) % 3));
    expect([...last.reward]).toEqual([1, 0]);
    expect([...last.terminated]).toEqual([1, 1]);
    expect(last.info.episodes).toEqual([{ env: 0, return: 1, length: 3 }, { env: 1, return: 0, length: 3 }]);
    // Same-step autoreset: the returned obs is the next episode's cue observation.
    for (let i = 0; i < 2; i++) expect(last.obs[i * 4 + env.currentCue(i)]).toBe(1);
  });

  it('a memoryless policy scores the chance level 1/numCues; remembering the cue scores 1', async () => {
    // The best feed-forward policy can only map the decision observation [0,0,0,1] to a fixed action
    // distribution; any such policy averages 1/numCues. 4000 episodes: SE ≈ 0.0075; tolerance 0.03.
    const P = 100;
    const env = new CueMemoryTask({ numEnvs: P, numCues: 3, delay: 3 });
    expect(env.chanceLevel).toBeCloseTo(1 / 3, 12);
    let obs = await env.reset(9);
    const rng = new Random32(1);
    const returns: number[] = [];
    const actions = new Int32Array(P);
    while (returns.length < 4000) {
      for (let i = 0; i < P; i++) {
        const flag = obs[i * 4 + 3];
        actions[i] = flag === 1 ? 2 : rng.nextInt(3);
      }
      const r = await env.step(actions);
      obs = r.obs;
      returns.push(...r.info.episodes.map((e) => e.return));
    }
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    expect(Math.abs(mean - 1 / 3)).toBeLessThan(0.03);

    const remembered = new Int32Array(P);
    obs = await env.reset(10);
    let total = 0;
    let episodes = 0;
    for (let t = 0; t < 400; t++) {
      for (let i = 0; i < P; i++) {
        for (let c = 0; c < 3; c++) if (obs[i * 4 + c] === 1) remembered[i] = c;
        actions[i] = remembered[i]!;
      }
      const r = await env.step(actions);
      obs = r.obs;
      for (const e of r.info.episodes) {
        total += e.return;
        episodes += 1;
      }
    }
    expect(episodes).toBe(P * 100);
    expect(total / episodes).toBe(1);
  });

  it('draws env i of reset(seed) from seed + i and rejects bad input', async () => {
    const a = new CueMemoryTask({ numEnvs: 3 });
    const b = new CueMemoryTask({ numEnvs: 1 });
    await a.reset(20);
    await b.reset(22);
    expect(a.currentCue(2)).toBe(b.currentCue(0));
    expect(() => new CueMemoryTask({ numEnvs: 1, delay: 0 })).toThrow('delay must be an integer ≥ 1');
    expect(() => new CueMemoryTask({ numEnvs: 1, numCues: 1 })).toThrow('numCues must be an integer in 2..8 (got numCues=1)');
    await expect(a.step(Int32Array.of(0, 2, 0))).rejects.toThrow('actions[1] must be in 0..1 (got 2)');
    await a.close();
    await expect(a.reset(0)).rejects.toThrow('CueMemoryTask is closed');
  });
});
