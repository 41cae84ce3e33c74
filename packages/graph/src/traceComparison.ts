import type { NodeDef } from './tfProto.js';

/** Where two traced graphs first differ (node index, name and what differs), or null when they are identical. */
export function firstDifference(a: NodeDef[], b: NodeDef[]): string | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.op !== y.op || x.name !== y.name) return `node ${i} is ${x.name} in one trace and ${y.name} in the other`;
    if (x.input.join() !== y.input.join()) return `${x.name} has different inputs`;
    if (canonical(x.attr) !== canonical(y.attr)) return `${x.name} has a different ${x.op === 'Const' ? 'value' : 'attribute'}`;
  }
  return a.length === b.length ? null : `one trace has ${a.length} nodes, the other ${b.length}`;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
}
