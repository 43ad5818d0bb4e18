/**
 * Node-only entry of lib/ai (CLI, tests, benchmarks): onnxruntime-node and the shipped model files
 * and cards read from disk. Browser code imports `lib/ai` (index.ts), never this module.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError } from '../errors';
import type { ModelSpec } from './catalog';
import { ortBackend, type ApprovalCheck, type InferenceBackend, type ModelLoader, type OrtModule } from './runtime';

/** Directory of the shipped `.onnx` files. */
export const MODELS_DIR = path.resolve(import.meta.dirname, '../../ml-models/models');
/** Directory of the shipped model cards. */
export const CARDS_DIR = path.resolve(import.meta.dirname, '../../ml-models/cards');
/** Directory holding onnxruntime-web's wasm files, for running the web backend under Node. */
export const ORT_WEB_DIST = `${path.resolve(import.meta.dirname, '../../node_modules/onnxruntime-web/dist')}/`;

/** A backend on onnxruntime-node, imported on first use. */
export function createNodeBackend(): InferenceBackend {
  let loaded: Promise<InferenceBackend> | undefined;
  return {
    name: 'onnxruntime-node',
    async createSession(model, width) {
      loaded ??= import('onnxruntime-node').then((ort) => ortBackend('onnxruntime-node', ort as unknown as OrtModule));
      return (await loaded).createSession(model, width);
    },
  };
}

/** Reads shipped models from {@link MODELS_DIR}. */
export const fileModelLoader: ModelLoader = async (spec: ModelSpec) => {
  const file = path.join(MODELS_DIR, `${spec.name}.onnx`);
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    throw new NotFoundError(`Model file ${file} is missing; run \`npm run train -- --data <data dir>\`.`, { cause: error });
  }
};

/**
 * The SHA-256 recorded in each shipped model card, by model name.
 *
 * @param specs - the models whose cards to read
 */
export async function shippedCardHashes(specs: readonly ModelSpec[]): Promise<Map<string, string>> {
  const entries = await Promise.all(
    specs.map(async (spec) => {
      const card = JSON.parse(await readFile(path.join(CARDS_DIR, `${spec.name}.json`), 'utf8')) as { sha256?: unknown };
      if (typeof card.sha256 !== 'string') throw new NotFoundError(`Model card of ${spec.name} has no sha256.`);
      return [spec.name, card.sha256] as const;
    }),
  );
  return new Map(entries);
}

/**
 * Approval without a chain: a hash is approved when it equals the hash in a shipped model card.
 *
 * @param specs - the models whose cards count
 */
export async function shippedCardApproval(specs: readonly ModelSpec[]): Promise<ApprovalCheck> {
  const hashes = new Set((await shippedCardHashes(specs)).values());
  return async (sha256Hex) => hashes.has(sha256Hex);
}
