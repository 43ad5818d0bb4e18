/**
 * Copies the onnxruntime-web WebAssembly runtime into `public/ort/` so the app serves it itself
 * (never a CDN). Run by `npm run web:build`.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The package's exports map hides dist/, so locate it from the resolved entry point.
const dist = path.dirname(fileURLToPath(import.meta.resolve('onnxruntime-web/wasm')));
const target = path.resolve(import.meta.dirname, '../public/ort');

await mkdir(target, { recursive: true });
const files = (await readdir(dist)).filter((name) => /^ort-wasm-simd-threaded\.(wasm|mjs)$/.test(name));
if (files.length === 0) throw new Error(`No onnxruntime-web wasm files found in ${dist}`);
for (const name of files) await copyFile(path.join(dist, name), path.join(target, name));
console.log(`Copied ${files.length} onnxruntime-web files to public/ort: ${files.join(', ')}`);
