import { describe, expect, it } from 'vitest';
import { unknownAtariGames } from './atariGames.js';

describe('unknownAtariGames', () => {
  it('returns the ids that name no ale-py ROM, reading ids as makeAtariEnv does', async () => {
    expect(await unknownAtariGames(['breakout', 'ALE/Pong-v5', 'BreakoutNoFrameskip-v4', 'tetris2', 'MiniGrid-Empty-5x5-v0'])).toEqual([
      'tetris2',
      'MiniGrid-Empty-5x5-v0',
    ]);
    expect(await unknownAtariGames([])).toEqual([]);
  });

  it('names the missing interpreter and the fix', async () => {
    await expect(unknownAtariGames(['pong'], '/nonexistent/python')).rejects.toThrow(
      "no Python interpreter at /nonexistent/python: run 'npm run setup' (or set MEMPO_PYTHON)",
    );
  });
});
