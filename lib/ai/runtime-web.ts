/**
 * onnxruntime-web (WebAssembly) backend, loaded lazily: the runtime and its .wasm files are fetched
 * only when a score is first computed, from a path the app serves itself (never a CDN).
 */
import type { ModelSpec } from './catalog';
import { ortBackend, type InferenceBackend, type ModelLoader, type OrtModule } from './runtime';

export interface WebBackendOptions {
  /** URL prefix (ending in `/`) or file-system directory under which the `ort-wasm-*.wasm/.mjs` files are served. */
  readonly wasmPaths: string;
  /** WebAssembly threads; 1 works without cross-origin isolation. */
  readonly numThreads?: number;
}

/**
 * A backend on `onnxruntime-web/wasm`.
 *
 * @param options - where the wasm files are served, and threading
 */
export function createWebBackend(options: WebBackendOptions): InferenceBackend {
  let loaded: Promise<InferenceBackend> | undefined;
  const load = async (): Promise<InferenceBackend> => {
    const ort = await import('onnxruntime-web/wasm');
    ort.env.wasm.wasmPaths = options.wasmPaths;
    ort.env.wasm.numThreads = options.numThreads ?? 1;
    return ortBackend('onnxruntime-web (wasm)', ort as unknown as OrtModule, { executionProviders: ['wasm'] });
  };
  return {
    name: 'onnxruntime-web (wasm)',
    async createSession(model, width) {
      loaded ??= load();
      return (await loaded).createSession(model, width);
    },
  };
}

/**
 * Loads model files over HTTP from `baseUrl` (`<baseUrl>/<model>.onnx`).
 *
 * @param baseUrl - where the app serves `ml-models/models`
 * @param fetchImpl - fetch to use (defaults to the global one)
 */
export function fetchModelLoader(baseUrl: string, fetchImpl: typeof fetch = fetch): ModelLoader {
  return async (spec: ModelSpec) => {
    const response = await fetchImpl(`${baseUrl.replace(/\/$/, '')}/${spec.name}.onnx`);
    if (!response.ok) throw new Error(`model ${spec.name}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
}
