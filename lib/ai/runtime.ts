/**
 * The inference interface the risk engine runs on, and the gate every model passes before it runs:
 * its SHA-256 must be approved (the on-chain ModelRegistry in the app, the shipped card in the CLI).
 * onnxruntime-web and onnxruntime-node expose the same session API, so one adapter serves both.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { IntegrityError } from '../errors';
import type { ModelSpec } from './catalog';

export interface RiskOutputs {
  /** `[rows]` probabilities. */
  readonly risk: Float32Array;
  /** `[rows × width]` per-feature contributions, row-major. */
  readonly contributions: Float32Array;
}

export interface RiskSession {
  /**
   * Runs the model on `rows` rows of `features` (row-major, catalog column order).
   *
   * @param features - `rows × k` float32 values
   * @param rows - number of rows
   */
  run(features: Float32Array, rows: number): Promise<RiskOutputs>;
  release(): Promise<void>;
}

export interface InferenceBackend {
  /** `onnxruntime-web (wasm)` or `onnxruntime-node`, for provenance in results. */
  readonly name: string;
  /**
   * Creates a session for model bytes whose input has `width` columns.
   *
   * @param model - ONNX file bytes
   * @param width - number of input columns
   */
  createSession(model: Uint8Array, width: number): Promise<RiskSession>;
}

/** Answers whether a model hash (lower-case hex, no 0x) may run. */
export type ApprovalCheck = (sha256Hex: string) => Promise<boolean>;

/** Fetches a model file's bytes. */
export type ModelLoader = (spec: ModelSpec) => Promise<Uint8Array>;

/** The structural subset of the onnxruntime-web / onnxruntime-node module this adapter uses. */
export interface OrtModule {
  InferenceSession: {
    create(model: Uint8Array, options?: object): Promise<{
      run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown } | undefined>>;
      release(): Promise<void>;
    }>;
  };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}

/**
 * Wraps an onnxruntime module (web or node) as an {@link InferenceBackend}.
 *
 * @param name - label for provenance
 * @param ort - the imported onnxruntime module
 * @param sessionOptions - passed to `InferenceSession.create`
 */
export function ortBackend(name: string, ort: OrtModule, sessionOptions: object = {}): InferenceBackend {
  return {
    name,
    async createSession(model, width) {
      const session = await ort.InferenceSession.create(model, sessionOptions);
      return {
        async run(features, rows) {
          const output = await session.run({ features: new ort.Tensor('float32', features, [rows, width]) });
          const risk = output.risk?.data;
          const contributions = output.contributions?.data;
          if (!(risk instanceof Float32Array) || !(contributions instanceof Float32Array)) {
            throw new IntegrityError('The model did not return float32 "risk" and "contributions" outputs.');
          }
          return { risk, contributions };
        },
        release: () => session.release(),
      };
    },
  };
}

/**
 * SHA-256 of model bytes as lower-case hex.
 *
 * @param bytes - the ONNX file
 */
export function modelHash(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/**
 * Refuses to go on unless the model's hash is approved.
 *
 * @param spec - the model, for the message
 * @param sha256Hex - the hash of the bytes about to run
 * @param isApproved - the approval source
 * @throws IntegrityError when the hash is not approved
 */
export async function assertApproved(spec: ModelSpec, sha256Hex: string, isApproved: ApprovalCheck): Promise<void> {
  if (!(await isApproved(sha256Hex))) {
    throw new IntegrityError(
      `Model ${spec.name} ${spec.version} (sha256 ${sha256Hex}) is not approved in the model registry, so it was not run.`,
    );
  }
}
