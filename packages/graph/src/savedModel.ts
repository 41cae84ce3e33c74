import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NativeBinding } from './nativeBackend.js';
import { encodeSavedModel, type NodeDef } from './tfProto.js';

const TAG = 'serve';

/**
 * Loads `nodes` as a new TensorFlow session through tfjs-node's SavedModel API and returns its id. The
 * SavedModel exists on disk only while TensorFlow reads it (a temporary folder, removed before returning), so
 * compiling leaves no files behind.
 */
export function loadGraphSession(binding: NativeBinding, nodes: NodeDef[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'mempo-graph-'));
  try {
    const exportDir = join(dir, 'model');
    mkdirSync(exportDir);
    writeFileSync(join(exportDir, 'saved_model.pb'), encodeSavedModel(nodes, TAG));
    try {
      return binding.loadSavedModel(exportDir, TAG);
    } catch (err) {
      throw new Error(
        `TensorFlow could not build the traced graph (${(err as Error).message.split('\n')[0]}). If it names a missing attribute, ` +
          "the op's attribute is one tfjs-node leaves to eager inference: add it to INFERRED_TYPE_ATTRS in @mempo/graph's graphBuilder.ts",
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
