import { writeFileAtomic } from '@mempo/ppo';
import { join } from 'node:path';
import { markdownTable } from 'markdown-table';
import type { EngineResult } from './engineSuite.js';

/**
 * The engine table: one row per case, one column per backend with its median time and its speed-up over
 * the cpu backend measured in the same run (cpu time ÷ backend time; > 1 is faster).
 */
export function engineTable(results: EngineResult[]): string {
  const backends = [...new Set(results.map((r) => r.backend))];
  const cases = [...new Set(results.map((r) => r.case))];
  const find = (backend: string, name: string) => results.find((r) => r.backend === backend && r.case === name);
  const rows = cases.map((name) => {
    const cpu = find('cpu', name);
    const cpuMs = cpu && 'timing' in cpu ? cpu.timing.medianMs : undefined;
    return [
      name,
      ...backends.map((backend) => {
        const r = find(backend, name);
        if (!r) return '—';
        if ('error' in r) return `n/a (${r.error.slice(0, 60)})`;
        const ms = r.timing.medianMs;
        const ratio = cpuMs !== undefined && backend !== 'cpu' ? ` (${(cpuMs / ms).toFixed(1)}× cpu)` : '';
        return `${ms < 10 ? ms.toFixed(3) : ms.toFixed(1)} ms${ratio}`;
      }),
    ];
  });
  return markdownTable([['case (median)', ...backends], ...rows], { align: ['l', ...backends.map(() => 'r' as const)] });
}

/** Writes `<dir>/<name>.json` atomically (temp file, then rename) and returns its path. */
export function writeJsonAtomic(dir: string, name: string, data: unknown): string {
  const path = join(dir, `${name}.json`);
  writeFileAtomic(path, JSON.stringify(data, null, 2) + '\n');
  return path;
}
