/**
 * Copies what the browser's risk screens load into `public/`, so the app serves it itself (never a CDN):
 * the onnxruntime-web WebAssembly runtime into `public/ort/`, and the committed ONNX models with their
 * model cards into `public/models/`. Run by `npm run web:build`.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');

/**
 * Copies the files of `from` whose names match `pattern` into `to`, failing when there are none.
 *
 * @param from - source directory
 * @param to - target directory, created when missing
 * @param pattern - file names to copy
 * @returns the names copied
 */
async function copyMatching(from: string, to: string, pattern: RegExp): Promise<string[]> {
  await mkdir(to, { recursive: true });
  const files = (await readdir(from)).filter((name) => pattern.test(name)).sort();
  if (files.length === 0) throw new Error(`No files matching ${pattern} found in ${from}`);
  await Promise.all(files.map((name) => copyFile(path.join(from, name), path.join(to, name))));
  return files;
}

// The package's exports map hides dist/, so locate it from the resolved entry point.
const ortDist = path.dirname(fileURLToPath(import.meta.resolve('onnxruntime-web/wasm')));
const ort = await copyMatching(ortDist, path.join(root, 'public/ort'), /^ort-wasm-simd-threaded\.(wasm|mjs)$/);
console.log(`Copied ${ort.length} onnxruntime-web files to public/ort: ${ort.join(', ')}`);

// Models and cards share one folder: the panel fetches `/models/<name>.onnx` and links `/models/<name>.md`.
const modelsTarget = path.join(root, 'public/models');
const models = await copyMatching(path.join(root, 'ml-models/models'), modelsTarget, /\.onnx$/);
const cards = await copyMatching(path.join(root, 'ml-models/cards'), modelsTarget, /\.(json|md)$/);
console.log(`Copied ${models.length} models and ${cards.length} model cards to public/models`);
