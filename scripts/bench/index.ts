/**
 * `npm run bench -- <name> [args]`: runs `scripts/bench/<name>.ts`, whose default export measures and
 * returns a JSON-serialisable result, and writes it to `bench/results/<name>.json`.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const benchDir = import.meta.dirname;
const resultsDir = path.resolve(benchDir, '../../bench/results');

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const available = (await readdir(benchDir))
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
    .map((file) => file.slice(0, -3));
  if (!name || !available.includes(name)) {
    console.error(`usage: npm run bench -- <${available.join('|')}>`);
    process.exitCode = 2;
    return;
  }
  const bench = (await import(path.join(benchDir, `${name}.ts`))) as { default: (args: string[]) => Promise<unknown> };
  const result = await bench.default(args);
  await mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

await main();
