import { Resvg } from '@resvg/resvg-js';
import { REPORT_FONT } from '../report/charts.js';

/** RIM's competition at one step (rim README, "Input attention" and "Competition"). */
export interface RimPanelData {
  /** 1 for each of the U units that won the input-attention competition this step (k of them), else 0. */
  active: number[];
  /** `[U][N + 1]` input-attention probabilities of each unit; the last column is the null element. */
  attention: number[][];
}

/** What the side panel of one video frame shows: the data drawn, kept so tests can check it without pixels. */
export interface PanelData {
  memory: string;
  envId: string;
  /** 1-based episode number and the number of episodes recorded. */
  episode: number;
  episodes: number;
  /** Steps taken in this episode before this frame's action. */
  step: number;
  /** Reward summed over the episode so far (this frame's action not yet rewarded, except on an end card). */
  returnSoFar: number;
  /** The critic's value estimate V(s) of this frame's observation; absent on an end card. */
  value?: number;
  /** π(a | history) per action; absent on an end card. */
  probs?: number[];
  /** The action taken; absent on an end card. */
  action?: number;
  /** Action names, when the env has them (MiniGrid, Warehouse); else the index is shown. */
  actionNames?: readonly string[];
  rim?: RimPanelData;
  /** IAM's influence attention: `[heads][N]` weights over the observation's N regions (iam README). */
  iamAttention?: number[][];
  /** Set on the frame held after an episode ends: its final return and how it ended. */
  ended?: 'terminated' | 'truncated' | 'cut at --max-steps';
}

/** Width of the side panel in pixels. */
export const PANEL_WIDTH = 300;
const PAD = 12;
const INNER = PANEL_WIDTH - 2 * PAD;
const BAR_ROW = 15;
const LABEL_W = 64;

/** A probability in [0, 1] as a colour of a fixed sequential scale (light → dark blue), never fitted to the data. */
export function probabilityColour(p: number): string {
  const t = Math.min(1, Math.max(0, p));
  const lerp = (a: number, b: number) => Math.round(a + (b - a) * t);
  const hex = (v: number) => v.toString(16).padStart(2, '0');
  return `#${hex(lerp(0xf7, 0x08))}${hex(lerp(0xfb, 0x30))}${hex(lerp(0xff, 0x6b))}`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function text(x: number, y: number, content: string, attrs = ''): string {
  const size = attrs.includes('font-size=') ? '' : 'font-size="12" ';
  return `<text x="${x}" y="${y}" ${size}${attrs}>${escapeXml(content)}</text>`;
}

/** A grid of probability cells `[rows][cols]` on the fixed [0, 1] scale, at (x, y); returns the SVG and its height. */
function heatmap(x: number, y: number, values: number[][], cellW: number, cellH: number): { svg: string; height: number } {
  const cells = values.flatMap((row, r) =>
    // A thin white edge keeps neighbouring cells of similar value apart.
    row.map((v, c) => `<rect x="${(x + c * cellW).toFixed(2)}" y="${y + r * cellH}" width="${cellW.toFixed(2)}" height="${cellH}" fill="${probabilityColour(v)}" stroke="#fff" stroke-width="0.5"/>`),
  );
  const width = (values[0]?.length ?? 0) * cellW;
  const frame = `<rect x="${x}" y="${y}" width="${width.toFixed(2)}" height="${values.length * cellH}" fill="none" stroke="#888" stroke-width="0.5"/>`;
  return { svg: cells.join('') + frame, height: values.length * cellH };
}

/** The policy as one bar per action (chosen one dark), the value estimate above it. */
function policySection(d: PanelData, y0: number): { svg: string; height: number } {
  const parts: string[] = [];
  let y = y0;
  parts.push(text(PAD, y + 12, `V(s) ${d.value!.toFixed(3)}`), text(PAD + 110, y + 12, `action ${actionName(d, d.action!)}`, 'font-weight="bold"'));
  y += 22;
  parts.push(text(PAD, y + 10, 'policy π(a)', 'fill="#555"'));
  y += 16;
  const barMax = INNER - LABEL_W - 44;
  d.probs!.forEach((p, a) => {
    const chosen = a === d.action;
    parts.push(
      text(PAD, y + 10, actionName(d, a), 'font-size="11"'),
      `<rect x="${PAD + LABEL_W}" y="${y + 1}" width="${(p * barMax).toFixed(2)}" height="${BAR_ROW - 4}" fill="${chosen ? '#1f4e8c' : '#9ecae1'}"/>`,
      text(PAD + LABEL_W + barMax + 4, y + 10, p.toFixed(2), 'font-size="11"'),
    );
    y += BAR_ROW;
  });
  return { svg: parts.join(''), height: y - y0 + 6 };
}

function actionName(d: PanelData, a: number): string {
  return d.actionNames?.[a] ?? `#${a}`;
}

/** RIM: the U units as a row of cells (filled = active this step), then the `U × (N+1)` input attention. */
function rimSection(rim: RimPanelData, y0: number): { svg: string; height: number } {
  const parts: string[] = [];
  const U = rim.active.length;
  const k = rim.active.filter((a) => a === 1).length;
  let y = y0;
  parts.push(text(PAD, y + 12, `RIM active units (k = ${k} of U = ${U})`, 'fill="#555"'));
  y += 18;
  const cell = Math.min(24, Math.floor(INNER / U));
  rim.active.forEach((a, u) => {
    const x = PAD + u * cell;
    parts.push(
      `<rect x="${x + 1}" y="${y}" width="${cell - 2}" height="${cell - 2}" fill="${a === 1 ? '#d95f02' : '#ffffff'}" stroke="#555" stroke-width="1"/>`,
      text(x + cell / 2 - 1, y + cell / 2 + 3, String(u), `font-size="9" text-anchor="middle" fill="${a === 1 ? '#fff' : '#555'}"`),
    );
  });
  y += cell + 8;
  const cols = rim.attention[0]?.length ?? 1;
  parts.push(text(PAD, y + 12, `input attention: ${cols - 1} input${cols === 2 ? '' : 's'} + null ∅ (scale 0–1)`, 'fill="#555"'));
  y += 18;
  const cellW = Math.min(40, (INNER - 16) / cols);
  const cellH = Math.max(8, Math.min(18, Math.floor(90 / U)));
  const map = heatmap(PAD, y, rim.attention, cellW, cellH);
  parts.push(map.svg, text(PAD + cols * cellW + 3, y + cellH - 2, '∅', 'font-size="10" fill="#555"'));
  // Mark the null column, so "attends to nothing" reads at a glance.
  parts.push(`<line x1="${(PAD + (cols - 1) * cellW).toFixed(2)}" y1="${y}" x2="${(PAD + (cols - 1) * cellW).toFixed(2)}" y2="${y + map.height}" stroke="#333" stroke-width="1"/>`);
  y += map.height + 8;
  return { svg: parts.join(''), height: y - y0 };
}

/** IAM: each head's attention over the N regions, as a square grid when N is a square (the CNN's 7×7 map). */
function iamSection(alpha: number[][], y0: number): { svg: string; height: number } {
  const parts: string[] = [];
  let y = y0;
  const N = alpha[0]?.length ?? 0;
  // The scale stays [0, 1] (a fitted one makes noise look like structure); the largest weight and the uniform
  // level 1/N are printed, so a near-uniform map reads as such.
  const largest = Math.max(...alpha.flat());
  parts.push(text(PAD, y + 12, `IAM attention, ${N} regions (scale 0–1)`, 'fill="#555"'));
  y += 16;
  parts.push(text(PAD, y + 12, `max ${largest.toFixed(3)}, uniform 1/N = ${(1 / N).toFixed(3)}`, 'fill="#555" font-size="11"'));
  y += 18;
  const side = Math.round(Math.sqrt(N));
  let x = PAD;
  let tallest = 0;
  for (const head of alpha) {
    const rows = side * side === N ? Array.from({ length: side }, (_, r) => head.slice(r * side, (r + 1) * side)) : [head];
    const cellW = side * side === N ? Math.min(12, Math.floor(INNER / side)) : INNER / N;
    const map = heatmap(x, y, rows, cellW, side * side === N ? cellW : 14);
    parts.push(map.svg);
    tallest = Math.max(tallest, map.height);
    x += rows[0]!.length * cellW + 8;
  }
  y += tallest + 8;
  return { svg: parts.join(''), height: y - y0 };
}

/** The side panel as SVG, `PANEL_WIDTH` wide and at least `minHeight` tall; returns the SVG and its height. */
export function panelSvg(d: PanelData, minHeight: number): { svg: string; height: number } {
  const parts: string[] = [];
  let y = PAD;
  parts.push(text(PAD, y + 12, `${d.memory} · ${d.envId}`, 'font-weight="bold"'));
  y += 18;
  parts.push(text(PAD, y + 12, `episode ${d.episode}/${d.episodes} · step ${d.step}`));
  y += 18;
  parts.push(text(PAD, y + 12, `return so far ${d.returnSoFar.toFixed(2)}`));
  y += 22;
  if (d.ended !== undefined) {
    parts.push(text(PAD, y + 14, `episode ${d.ended}: return ${d.returnSoFar.toFixed(2)}`, 'font-size="14" font-weight="bold" fill="#1f4e8c"'));
    y += 24;
  } else {
    const sections = [(at: number) => policySection(d, at)];
    if (d.rim) sections.push((at) => rimSection(d.rim!, at));
    if (d.iamAttention) sections.push((at) => iamSection(d.iamAttention!, at));
    for (const draw of sections) {
      const section = draw(y);
      parts.push(section.svg);
      y += section.height;
    }
  }
  const height = Math.max(minHeight, Math.ceil(y + PAD));
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PANEL_WIDTH}" height="${height}" font-family="${REPORT_FONT.family}">` +
    `<rect width="${PANEL_WIDTH}" height="${height}" fill="#ffffff"/>${parts.join('')}</svg>`;
  return { svg, height };
}

/** Rasterises a panel SVG with resvg and the bundled font (no system fonts): RGBA pixels. */
export function rasterisePanel(svg: string): { rgba: Uint8Array; width: number; height: number } {
  const font = { fontFiles: [REPORT_FONT.file], loadSystemFonts: false, defaultFontFamily: REPORT_FONT.family };
  const image = new Resvg(svg, { background: 'white', font }).render();
  return { rgba: new Uint8Array(image.pixels.buffer, image.pixels.byteOffset, image.pixels.length), width: image.width, height: image.height };
}
