import { createRequire } from 'node:module';
import type { RgbImage } from './envFrames.js';

/** The part of gifenc 1.0.3's API used here (the package ships no types). */
interface GifencApi {
  GIFEncoder(): {
    writeFrame(index: Uint8Array, width: number, height: number, options: { palette: number[][]; delay: number; repeat?: number }): void;
    finish(): void;
    bytes(): Uint8Array;
  };
  quantize(rgba: Uint8Array, maxColors: number): number[][];
  applyPalette(rgba: Uint8Array, palette: number[][]): Uint8Array;
}

// Loaded through require: gifenc's CommonJS build is the one entry that Node and vitest's resolver agree on
// (vitest would pick its ESM build, which has no default export, Node its CommonJS one, which has no named ones).
const gifenc = createRequire(import.meta.url)('gifenc') as GifencApi;

/**
 * An animated GIF built frame by frame (gifenc): each frame is the env picture at the left and the side panel
 * at the right on one canvas whose size the first frame fixes (later frames are clipped or padded to it, as a
 * GIF has one screen size). Each frame gets its own 256-colour palette (gifenc's `quantize`), so the env's
 * colours and the panel's scale survive; loops forever.
 */
export class GifVideo {
  private readonly encoder = gifenc.GIFEncoder();
  private size: { width: number; height: number } | undefined;
  private count = 0;

  /** Number of frames written. */
  get frames(): number {
    return this.count;
  }

  /** Canvas size, fixed by the first frame. */
  get width(): number {
    return this.size?.width ?? 0;
  }

  get height(): number {
    return this.size?.height ?? 0;
  }

  /**
   * Adds a frame: `env` at the top left, `panel` (RGBA) beside it, white elsewhere, shown for `delayMs`.
   * `panelWidth` is the panel's width on the canvas.
   */
  addFrame(env: RgbImage, panel: { rgba: Uint8Array; width: number; height: number }, delayMs: number): void {
    this.size ??= { width: env.width + panel.width, height: Math.max(env.height, panel.height) };
    const { width, height } = this.size;
    const rgba = new Uint8Array(width * height * 4).fill(255);
    const envW = Math.min(env.width, width);
    for (let y = 0; y < Math.min(env.height, height); y++) {
      for (let x = 0; x < envW; x++) {
        const s = 3 * (y * env.width + x);
        const d = 4 * (y * width + x);
        rgba[d] = env.rgb[s]!;
        rgba[d + 1] = env.rgb[s + 1]!;
        rgba[d + 2] = env.rgb[s + 2]!;
      }
    }
    const left = width - panel.width;
    for (let y = 0; y < Math.min(panel.height, height); y++) {
      rgba.set(panel.rgba.subarray(4 * y * panel.width, 4 * (y + 1) * panel.width), 4 * (y * width + left));
    }
    const palette = gifenc.quantize(rgba, 256);
    const index = gifenc.applyPalette(rgba, palette);
    this.encoder.writeFrame(index, width, height, { palette, delay: delayMs, ...(this.count === 0 ? { repeat: 0 } : {}) });
    this.count++;
  }

  /** The finished file's bytes; add no frame after this. */
  finish(): Uint8Array {
    if (this.count === 0) throw new Error('a GIF needs at least one frame: record at least one step');
    this.encoder.finish();
    return this.encoder.bytes();
  }
}
