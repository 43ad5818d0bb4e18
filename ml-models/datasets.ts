/**
 * Parsers for the two training datasets. Rows come out in the column order of the model's catalog
 * spec, with the dataset's own missing-value markers kept (0 in Pima, NaN for `?` in Cleveland) so
 * that imputation happens inside cross-validation folds and inside the exported graph.
 */

export interface Dataset {
  readonly rows: number[][];
  /** 1 = outcome present. */
  readonly labels: number[];
}

function parseCsv(text: string, columns: number): string[][] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const cells = line.split(',').map((cell) => cell.trim());
      if (cells.length !== columns) throw new Error(`line ${index + 1}: expected ${columns} columns, got ${cells.length}`);
      return cells;
    });
}

function toNumber(cell: string, where: string): number {
  if (cell === '?') return Number.NaN;
  const value = Number(cell);
  if (!Number.isFinite(value)) throw new Error(`${where}: not a number: ${cell}`);
  return value;
}

/**
 * Pima Indians Diabetes (`pima-indians-diabetes.csv`): 8 features then the class, no header.
 * The feature order matches the catalog's `diabetes-pima` spec.
 *
 * @param text - the CSV file's contents
 */
export function parsePima(text: string): Dataset {
  const table = parseCsv(text, 9).map((cells, i) => cells.map((cell) => toNumber(cell, `row ${i + 1}`)));
  return { rows: table.map((row) => row.slice(0, 8)), labels: table.map((row) => (row[8] === 1 ? 1 : 0)) };
}

/**
 * UCI Cleveland (`processed.cleveland.csv`): 13 features then `num` (0–4), no header; `?` is missing.
 * The outcome is `num > 0`, as in the published work. The feature order matches the catalog's
 * `heart-disease-cleveland` spec.
 *
 * @param text - the CSV file's contents
 */
export function parseCleveland(text: string): Dataset {
  const table = parseCsv(text, 14).map((cells, i) => cells.map((cell) => toNumber(cell, `row ${i + 1}`)));
  return { rows: table.map((row) => row.slice(0, 13)), labels: table.map((row) => (row[13]! > 0 ? 1 : 0)) };
}
