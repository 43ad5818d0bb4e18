'use client';

import { useCallback, useState } from 'react';

import type { TransactionStage } from '../lib/chain/medledger';
import { describeError } from '../lib/errors';
import type { PipelineProgress } from '../lib/records/progress';

export type TxState =
  | { status: 'idle' }
  | { status: 'running'; label: string; progress?: PipelineProgress; hash?: string }
  | { status: 'confirmed'; label: string; hash?: string }
  | { status: 'failed'; message: string };

export interface TxHandlers {
  onStage: (stage: TransactionStage) => void;
  onProgress: (progress: PipelineProgress) => void;
}

const STAGE_LABEL: Record<TransactionStage['stage'], string> = {
  simulating: 'Checking the transaction…',
  signing: 'Waiting for your signature in the wallet…',
  pending: 'Sent; waiting for the block…',
  confirmed: 'Confirmed on-chain.',
};

const STEP_LABEL: Record<PipelineProgress['step'], string> = {
  rotate: 'A provider whose access ended still holds your current keys: revoking it first (confirm in your wallet)…',
  validate: 'Validating…',
  encrypt: 'Encrypting in your browser…',
  upload: 'Uploading ciphertext to IPFS…',
  sign: 'Waiting for your signature in the wallet…',
  pending: 'Sent; waiting for the block…',
  confirmed: 'Confirmed on-chain.',
  list: 'Listing records on-chain…',
  fetch: 'Fetching from IPFS…',
  decrypt: 'Verifying and decrypting…',
  done: 'Done.',
};

/**
 * Runs one user action that may send transactions and reports where it is: pending, confirmed (with a
 * fixed label, or one made from the action's result), or failed with the decoded reason (lib/chain's
 * `toTransactionError` sentences pass through unchanged).
 */
export function useTx() {
  const [state, setState] = useState<TxState>({ status: 'idle' });
  const run = useCallback(
    async <T>(
      action: (handlers: TxHandlers) => Promise<T>,
      doneLabel: string | ((result: T) => string),
    ): Promise<T | undefined> => {
      setState({ status: 'running', label: 'Starting…' });
      let hash: string | undefined;
      const handlers: TxHandlers = {
        onStage: (stage) => {
          if ('hash' in stage) hash = stage.hash;
          setState({ status: 'running', label: STAGE_LABEL[stage.stage], hash });
        },
        onProgress: (progress) => {
          if (progress.hash) hash = progress.hash;
          setState({ status: 'running', label: STEP_LABEL[progress.step], progress, hash });
        },
      };
      try {
        const result = await action(handlers);
        setState({ status: 'confirmed', label: typeof doneLabel === 'function' ? doneLabel(result) : doneLabel, hash });
        return result;
      } catch (error) {
        console.error(error);
        setState({ status: 'failed', message: describeError(error) });
        return undefined;
      }
    },
    [],
  );
  const reset = useCallback(() => setState({ status: 'idle' }), []);
  return { state, run, reset, busy: state.status === 'running' };
}
