import type { ResolvedRun } from '../training/resolvedRun.js';
import type { RunRecord, StudyResults } from './studyResults.js';

/** `rim units 4, k 3, hidden 16, referenceQuirks {"cellFromHidden":true}, stack 1`: the core a run trained. */
function coreLabel(training: ResolvedRun): string {
  const sizes = Object.entries(training.core).map(([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : value}`);
  return `${training.memory} ${[...sizes, `stack ${training.stack}`].join(', ')}`;
}

/** `2048 (4 runs), 80000 (1 run)`: each distinct value and how many runs recorded it. */
function tally(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v} (${n} run${n === 1 ? '' : 's'})`).join(', ');
}

/**
 * The report's description of what the finished runs recorded: frames trained (`eval.json`'s global
 * step), the seeds, preset, evaluation episodes and, per model, the core sizes and stack (`plan.json`).
 * A cell whose runs recorded different training settings is flagged, since its mean would mix them.
 */
export function recordedSettings(results: StudyResults): string[] {
  const finished = results.runs.filter((r): r is RunRecord & { outcome: NonNullable<RunRecord['outcome']> } => r.outcome !== null);
  if (finished.length === 0) return ['No run has finished yet.'];
  const { unit } = results.study;
  const seeds = [...new Set(finished.map((r) => r.outcome.seed))].sort((a, b) => a - b);
  const lines = [
    `Recorded by the finished runs: ${unit} trained per run ${tally(finished.map((r) => String(r.outcome.globalStep)))}; ` +
      `seeds ${seeds.join(', ')}; preset ${tally(finished.map((r) => r.recorded?.training.preset ?? 'unrecorded'))}; ` +
      `evaluation episodes ${tally(finished.map((r) => String(r.outcome.evaluations[0]?.episodes ?? '?')))}.`,
    '',
  ];
  for (const memory of results.study.memories) {
    const runs = finished.filter((r) => r.plan.label === memory.label);
    if (runs.length === 0) continue;
    lines.push(`- ${memory.label}: ${tally(runs.map((r) => (r.recorded ? coreLabel(r.recorded.training) : 'settings unrecorded')))}`);
  }
  for (const trainEnv of new Set(finished.map((r) => r.plan.train.id)))
    for (const memory of results.study.memories) {
      const cell = finished.filter((r) => r.plan.train.id === trainEnv && r.plan.label === memory.label);
      const settings = new Set(cell.map((r) => `${r.outcome.globalStep} ${r.recorded ? coreLabel(r.recorded.training) : ''} ${r.recorded?.training.preset ?? ''}`));
      if (settings.size > 1)
        lines.push('', `Warning: the ${memory.label} runs on ${trainEnv} recorded different training settings; their mean mixes them (see each run's plan.json).`);
    }
  return lines;
}
