import { SHELF_CELLS, WAREHOUSE_ITEM_OFFSET, WAREHOUSE_OBS_SIZE, WAREHOUSE_SIZE } from './layout.js';

const CENTRE = (WAREHOUSE_SIZE - 1) / 2;

/**
 * The scripted "greedy to the nearest item, ignoring age" baseline of the Warehouse README, reading one env's
 * observation at `obs[offset .. offset+73)`. It walks towards the item with the smallest Manhattan distance
 * (ties: lowest observation index), closing the row gap before the column gap; with no item in sight it
 * walks back to the centre, the cell closest on average to the next spawn. Returns an action 0..3.
 */
export function greedyWarehouseAction(obs: ArrayLike<number>, offset = 0): number {
  let robot = -1;
  for (let k = 0; k < WAREHOUSE_ITEM_OFFSET; k++) {
    if (obs[offset + k] === 1) {
      robot = k;
      break;
    }
  }
  if (robot < 0) throw new Error(`obs[${offset}..${offset + WAREHOUSE_OBS_SIZE}) has no robot bit set: not a Warehouse observation`);
  const row = Math.floor(robot / WAREHOUSE_SIZE);
  const col = robot % WAREHOUSE_SIZE;
  let targetRow = CENTRE;
  let targetCol = CENTRE;
  let best = Infinity;
  for (let s = 0; s < SHELF_CELLS.length; s++) {
    if (obs[offset + WAREHOUSE_ITEM_OFFSET + s] !== 1) continue;
    const [r, c] = SHELF_CELLS[s]!;
    const distance = Math.abs(r - row) + Math.abs(c - col);
    if (distance < best) {
      best = distance;
      targetRow = r;
      targetCol = c;
    }
  }
  if (targetRow < row) return 0;
  if (targetRow > row) return 1;
  if (targetCol < col) return 2;
  if (targetCol > col) return 3;
  // Standing on the target (only at the centre with nothing in sight): any move; up is as good as any.
  return 0;
}
