/** Grid geometry and observation layout of the 7×7 Warehouse (the Warehouse README, "Observation"). */

/** Side of the square grid. */
export const WAREHOUSE_SIZE = 7;
/** Number of shelf (border) cells. */
export const WAREHOUSE_SHELVES = 24;
/** Observation width: 49 robot bits + 24 item bits. */
export const WAREHOUSE_OBS_SIZE = WAREHOUSE_SIZE * WAREHOUSE_SIZE + WAREHOUSE_SHELVES;
/** First item bit; shelf s is lit at `WAREHOUSE_ITEM_OFFSET + s`. */
export const WAREHOUSE_ITEM_OFFSET = WAREHOUSE_SIZE * WAREHOUSE_SIZE;

const LAST = WAREHOUSE_SIZE - 1;

/**
 * Shelf cells `[row, col]` in observation order: row 0 cols 0..6, row 6 cols 0..6, then rows 1..5
 * alternating (col 0, col 6). Shelf s is lit at observation index 49 + s.
 */
export const SHELF_CELLS: readonly (readonly [number, number])[] = (() => {
  const cells: [number, number][] = [];
  for (const row of [0, LAST]) for (let col = 0; col <= LAST; col++) cells.push([row, col]);
  for (let row = 1; row < LAST; row++) for (const col of [0, LAST]) cells.push([row, col]);
  return cells;
})();

/** Grid cell `7·row + col` → shelf index, or −1 for an inner cell. */
export const CELL_TO_SHELF: Int8Array = (() => {
  const map = new Int8Array(WAREHOUSE_SIZE * WAREHOUSE_SIZE).fill(-1);
  SHELF_CELLS.forEach(([row, col], s) => (map[row * WAREHOUSE_SIZE + col] = s));
  return map;
})();

/**
 * Shelf indices in the order the spawn step draws them (28 draws; corners twice): pass A = rows 0 and 6,
 * columns 0..6; pass B = rows 0..6, columns 0 and 6 (row-major: for each row, col 0 then col 6).
 */
export const SPAWN_ORDER: Int8Array = (() => {
  const order: number[] = [];
  const shelf = (row: number, col: number) => CELL_TO_SHELF[row * WAREHOUSE_SIZE + col]!;
  for (const row of [0, LAST]) for (let col = 0; col <= LAST; col++) order.push(shelf(row, col));
  for (let row = 0; row <= LAST; row++) for (const col of [0, LAST]) order.push(shelf(row, col));
  return Int8Array.from(order);
})();

/** Observation index of the robot bit for cell (row, col): `7·row + col`. */
export function robotObsIndex(row: number, col: number): number {
  checkCell(row, col);
  return row * WAREHOUSE_SIZE + col;
}

/** Observation index of the item bit of shelf cell (row, col); throws for an inner cell. */
export function shelfObsIndex(row: number, col: number): number {
  checkCell(row, col);
  const s = CELL_TO_SHELF[row * WAREHOUSE_SIZE + col]!;
  if (s < 0) throw new Error(`(row, col) must be a border (shelf) cell (got (${row}, ${col}))`);
  return WAREHOUSE_ITEM_OFFSET + s;
}

function checkCell(row: number, col: number): void {
  if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || row > LAST || col < 0 || col > LAST)
    throw new Error(`row and col must be integers in 0..${LAST} (got (${row}, ${col}))`);
}
