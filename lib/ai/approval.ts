/**
 * Whether a model may run: the SHA-256 of its ONNX file looked up in the on-chain ModelRegistry (the
 * admin approves and deprecates hashes), with the registry's record of it. Clients refuse a model
 * whose hash is not approved; the web app and the CLI ask here.
 */
import type { ChainContext } from '../chain/client';
import { readModelRegistry } from '../chain/medledger';

/** What the on-chain ModelRegistry says about the hash of a model file. */
export interface ModelApproval {
  readonly approved: boolean;
  /** Unix seconds of approval; 0 when never approved. */
  readonly approvedAt: number;
  readonly deprecated: boolean;
  readonly registeredName: string;
  readonly registeredVersion: number;
}

/** Looks up a model file's SHA-256 (hex, no 0x). */
export type ApprovalLookup = (sha256Hex: string) => Promise<ModelApproval>;

/**
 * The ModelRegistry of a chain as an {@link ApprovalLookup}.
 *
 * @param chain - a connected chain whose deployment includes the ModelRegistry
 */
export function registryApproval(chain: ChainContext): ApprovalLookup {
  return async (sha256Hex) => {
    const hash = `0x${sha256Hex}` as const;
    const [model, approved] = await Promise.all([
      readModelRegistry(chain, 'modelOf', [hash]),
      readModelRegistry(chain, 'isApproved', [hash]),
    ]);
    return {
      approved,
      approvedAt: Number(model.approvedAt),
      deprecated: model.deprecated,
      registeredName: model.name,
      registeredVersion: Number(model.version),
    };
  };
}
