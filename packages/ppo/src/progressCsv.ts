import { existsSync, readFileSync, appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeWriteError, makeDirectory, writeFileAtomic } from './atomicWrite.js';

/** A flat record of named scalars, one per update (CleanRL's `charts/…`, `losses/…` names). */
export type Metrics = Record<string, number>;

/**
 * Where scalars go besides progress.csv, e.g. TensorBoard. The bench passes tfjs-node's
 * `node.summaryFileWriter(dir)` adapted to this shape; ppo itself never loads tfjs-node.
 */
export interface ScalarWriter {
  /** One scalar of one update; `step` is the number of agent steps so far. */
  scalar(name: string, value: number, step: number): void;
  /** Called after every update. */
  flush?(): void;
  /**
   * Called once before the first scalar, with the step the run starts from (its checkpoint's, 0 when fresh):
   * drop what was logged after it, as TensorBoard's `purge_step` does, since those steps are logged again.
   */
  purgeAfter?(step: number): void;
}

function formatValue(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(7)));
}

/**
 * `progress.csv`: one row per update. The columns are fixed by the first row written (later unknown
 * names are an error, so a file never silently changes shape); a missing value is an empty cell.
 */
export class ProgressCsv {
  readonly path: string;
  private columns: string[] | null = null;

  /**
   * @param path the file; when `resumeAfterUpdate` is given, an existing file is kept up to that update
   * (rows of updates after the checkpoint are dropped, because the resumed run writes them again).
   */
  constructor(path: string, resumeAfterUpdate?: number) {
    this.path = path;
    makeDirectory(dirname(path));
    const text = resumeAfterUpdate !== undefined && existsSync(path) ? readFileSync(path, 'utf8') : '';
    // A line without its newline was cut short by a killed process (even its update number may be cut): drop it.
    const [header, ...rows] = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((l) => l !== '');
    if (resumeAfterUpdate !== undefined && header) {
      this.columns = header.split(',');
      const updateColumn = this.columns.indexOf('update');
      const kept = rows.filter((r) => Number(r.split(',')[updateColumn]) <= resumeAfterUpdate);
      writeFileAtomic(path, [header, ...kept].map((l) => `${l}\n`).join(''));
    } else {
      writeFileAtomic(path, '');
    }
  }

  /**
   * Makes sure the file has these columns: a resumed run whose file was started without them (a run continued
   * with evaluation turned on) gets them appended to the header, empty in the rows before. A fresh file takes
   * its columns from the first row, as always.
   */
  ensureColumns(names: readonly string[]): void {
    if (this.columns === null) return;
    const missing = names.filter((name) => !this.columns!.includes(name));
    if (missing.length === 0) return;
    const [, ...rows] = readFileSync(this.path, 'utf8').split('\n').filter((l) => l !== '');
    this.columns = [...this.columns, ...missing];
    const pad = ','.repeat(missing.length);
    writeFileAtomic(this.path, [this.columns.join(','), ...rows.map((row) => row + pad)].map((l) => `${l}\n`).join(''));
  }

  /** Appends one row. */
  write(metrics: Metrics): void {
    if (this.columns === null) {
      this.columns = Object.keys(metrics);
      this.append(`${this.columns.join(',')}\n`);
    }
    const unknown = Object.keys(metrics).filter((k) => !this.columns!.includes(k));
    if (unknown.length > 0) throw new Error(`progress.csv has no column for ${unknown.join(', ')} (columns are fixed by the first row)`);
    this.append(`${this.columns.map((c) => formatValue(metrics[c])).join(',')}\n`);
  }

  /** Appends one line; a full disk or a folder that became read-only names the file and the fix. */
  private append(line: string): void {
    try {
      appendFileSync(this.path, line);
    } catch (err) {
      throw describeWriteError(this.path, err);
    }
  }
}

/** Reads a progress.csv back as numbers (empty cells become NaN). */
export function readProgressCsv(path: string): Metrics[] {
  const [header, ...rows] = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  if (!header) return [];
  const columns = header.split(',');
  return rows.map((row) => {
    const cells = row.split(',');
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] === '' ? NaN : Number(cells[i])]));
  });
}
