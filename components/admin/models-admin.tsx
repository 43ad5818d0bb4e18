'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, type FormEvent, useId, useState } from 'react';
import type { Hex } from 'viem';

import { type ModelSummary, listModels } from '../../lib/chain/activity';
import type { ChainContext } from '../../lib/chain/client';
import { readModelRegistry, writeModelRegistry } from '../../lib/chain/medledger';
import { describeError } from '../../lib/errors';
import { addBytes } from '../../lib/ipfs/add';
import { cidFromBytes, cidToBytes, sha256Hex } from '../../lib/records/vault';
import { Skeleton } from '../gate';
import { formatDate } from '../records/format';
import { TxStatus } from '../tx-status';
import { useTx } from '../use-tx';
import { ipfsClient } from '../use-vault';
import { ConfirmAction } from './confirm-action';

const MODELS_KEY = ['admin-models'] as const;

function shortHash(hash: string) {
  return `${hash.slice(0, 10)}…${hash.slice(-6)}`;
}

/** The CID string of a model card, or the raw bytes when the chain holds something that is not a CID. */
function cardCidText(cardCid: Hex) {
  try {
    return cidFromBytes(cardCid);
  } catch {
    return cardCid;
  }
}

/** Whether the account holds ModelRegistry's MODEL_ADMIN_ROLE (separate from the provider admin role). */
function useModelAdmin(context: ChainContext) {
  return useQuery({
    queryKey: ['model-admin', context.account],
    queryFn: async () => {
      const role = await readModelRegistry(context, 'MODEL_ADMIN_ROLE', []);
      return readModelRegistry(context, 'hasRole', [role, context.account!]);
    },
  });
}

/** Approved and deprecated AI models, with deprecation and the form that approves a new model file. */
export function ModelsAdmin({ context }: { context: ChainContext }) {
  const queryClient = useQueryClient();
  const models = useQuery({ queryKey: MODELS_KEY, queryFn: () => listModels(context) });
  const isModelAdmin = useModelAdmin(context);
  const action = useTx();

  async function deprecate(model: ModelSummary) {
    const done = await action.run(async ({ onStage }) => {
      await writeModelRegistry(context, 'deprecateModel', [model.sha256Hash], { onStage });
      return true;
    }, `${model.name} v${model.version} is deprecated: clients no longer run it.`);
    if (done) await queryClient.invalidateQueries({ queryKey: MODELS_KEY });
  }

  const canAct = isModelAdmin.data === true;
  return (
    <>
      <section className="card" aria-labelledby="models-head">
        <div className="section-head">
          <h2 id="models-head">AI models</h2>
          <button type="button" className="secondary" onClick={() => models.refetch()} disabled={models.isFetching}>
            {models.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
        <p className="muted small">
          Browsers compute the SHA-256 of every model file they load and run it only if it is approved here and not
          deprecated.
        </p>
        {isModelAdmin.data === false ? (
          <p className="notice notice-info">
            This account does not hold the model-administrator role (MODEL_ADMIN_ROLE) on the model registry: you can
            see the models but not approve or deprecate them.
          </p>
        ) : null}
        <TxStatus state={action.state} />
        {models.isPending ? (
          <Skeleton lines={3} label="Reading the model registry" />
        ) : models.error ? (
          <p className="notice notice-error" role="alert">
            Could not read the model registry: {describeError(models.error)} Check that the devnet is running, then
            refresh.
          </p>
        ) : models.data.length === 0 ? (
          <p className="empty">No model is approved yet, so clients run none. Approve one with the form below.</p>
        ) : (
          <div className="table-wrap">
            <table className="stack-table">
              <caption className="visually-hidden">AI models in the registry</caption>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Version</th>
                  <th scope="col">SHA-256</th>
                  <th scope="col">Model card</th>
                  <th scope="col">Approved</th>
                  <th scope="col">Status</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {models.data.map((model) => {
                  const cid = cardCidText(model.cardCid);
                  return (
                    <tr key={model.sha256Hash}>
                      <td data-label="Model">{model.name}</td>
                      <td data-label="Version">{model.version}</td>
                      <td data-label="SHA-256">
                        <span className="mono small" title={model.sha256Hash}>
                          {shortHash(model.sha256Hash)}
                        </span>
                      </td>
                      <td data-label="Model card">
                        <span className="mono small" title={cid}>
                          {shortHash(cid)}
                        </span>
                      </td>
                      <td data-label="Approved">{formatDate(model.approvedAt)}</td>
                      <td data-label="Status">
                        {model.deprecated ? (
                          <span className="badge badge-bad">Deprecated</span>
                        ) : (
                          <span className="badge badge-ok">Approved</span>
                        )}
                      </td>
                      <td data-label="Action">
                        {model.deprecated || !canAct ? (
                          <span className="muted small">—</span>
                        ) : (
                          <ConfirmAction
                            label="Deprecate"
                            confirmLabel="Confirm deprecation"
                            onConfirm={() => deprecate(model)}
                            disabled={action.busy}
                            danger
                          >
                            Deprecate {model.name} v{model.version}? Every client stops running it at once. This cannot
                            be undone: to bring it back, approve a new file.
                          </ConfirmAction>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {canAct ? <ApproveModelForm context={context} /> : null}
    </>
  );
}

type FileHash =
  | { status: 'none' }
  | { status: 'hashing'; fileName: string }
  | { status: 'ready'; fileName: string; size: number; sha256: Hex; alreadyRegistered: boolean }
  | { status: 'failed'; message: string };

interface CardFile {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  readonly json: { name?: unknown; version?: unknown; sha256?: unknown };
}

/** Reads an ONNX file, hashes it in the browser and says if the registry already knows the hash. */
async function hashModelFile(context: ChainContext, file: File): Promise<Extract<FileHash, { status: 'ready' }>> {
  const sha256 = await sha256Hex(new Uint8Array(await file.arrayBuffer()));
  const known = await readModelRegistry(context, 'modelOf', [sha256]);
  return { status: 'ready', fileName: file.name, size: file.size, sha256, alreadyRegistered: known.approvedAt !== 0 };
}

/**
 * Approves a model file: its SHA-256 is computed here, in the browser (the file itself is not uploaded
 * anywhere); the model card goes to IPFS and its CID on-chain with the hash, name and version.
 */
function ApproveModelForm({ context }: { context: ChainContext }) {
  const queryClient = useQueryClient();
  const { state, run, busy } = useTx();
  const [file, setFile] = useState<FileHash>({ status: 'none' });
  const [card, setCard] = useState<CardFile | { error: string }>();
  const [name, setName] = useState('');
  const [version, setVersion] = useState('1');
  const [uploading, setUploading] = useState(false);
  const [problem, setProblem] = useState<string>();
  const ids = { file: useId(), card: useId(), name: useId(), version: useId(), hash: useId() };

  async function chooseModel(event: ChangeEvent<HTMLInputElement>) {
    const chosen = event.target.files?.[0];
    if (!chosen) return setFile({ status: 'none' });
    setFile({ status: 'hashing', fileName: chosen.name });
    if (!name) setName(chosen.name.replace(/\.onnx$/i, ''));
    try {
      setFile(await hashModelFile(context, chosen));
    } catch (error) {
      setFile({ status: 'failed', message: describeError(error) });
    }
  }

  async function chooseCard(event: ChangeEvent<HTMLInputElement>) {
    const chosen = event.target.files?.[0];
    if (!chosen) return setCard(undefined);
    try {
      const bytes = new Uint8Array(await chosen.arrayBuffer());
      const json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as CardFile['json'];
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not a JSON object');
      setCard({ fileName: chosen.name, bytes, json });
      if (typeof json.name === 'string' && !name) setName(json.name);
      if (typeof json.version === 'string' || typeof json.version === 'number') {
        const major = Number.parseInt(String(json.version), 10);
        if (Number.isSafeInteger(major)) setVersion(String(major));
      }
    } catch (error) {
      setCard({ error: `${chosen.name} is not a JSON model card (${describeError(error)}).` });
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const versionNumber = Number(version);
    const issues = [
      file.status === 'ready' ? '' : 'Choose the .onnx model file so its SHA-256 can be computed.',
      file.status === 'ready' && file.alreadyRegistered
        ? 'That exact file is already in the registry; a new version is a new file.'
        : '',
      name.trim() ? '' : 'Give the model a name, e.g. framingham-cvd-lipid.',
      Number.isInteger(versionNumber) && versionNumber >= 1 && versionNumber < 2 ** 32
        ? ''
        : 'The version is a whole number from 1.',
      card && 'error' in card ? card.error : '',
      card &&
      'json' in card &&
      typeof card.json.sha256 === 'string' &&
      file.status === 'ready' &&
      `0x${card.json.sha256.replace(/^0x/, '').toLowerCase()}` !== file.sha256
        ? 'The model card describes a different file: its sha256 does not match the file you chose.'
        : '',
    ].filter(Boolean);
    if (issues.length > 0 || file.status !== 'ready') {
      setProblem(issues.join(' '));
      return;
    }
    setProblem(undefined);
    const sha256 = file.sha256;
    // Without a card the registry still needs one: a minimal card states what was approved.
    const cardBytes =
      card && 'bytes' in card
        ? card.bytes
        : new TextEncoder().encode(
            JSON.stringify(
              { name: name.trim(), version: String(versionNumber), sha256: sha256.slice(2), card: 'none supplied' },
              null,
              2,
            ),
          );
    const done = await run(async ({ onStage }) => {
      setUploading(true);
      let cid: string;
      try {
        cid = await addBytes(ipfsClient(), cardBytes);
      } finally {
        setUploading(false);
      }
      await writeModelRegistry(context, 'approveModel', [sha256, name.trim(), versionNumber, cidToBytes(cid)], {
        onStage,
      });
      return true;
    }, `${name.trim()} v${versionNumber} is approved: clients may run this exact file.`);
    if (done) {
      setFile({ status: 'none' });
      setCard(undefined);
      setName('');
      setVersion('1');
      (event.target as HTMLFormElement).reset();
      await queryClient.invalidateQueries({ queryKey: MODELS_KEY });
    }
  }

  return (
    <section className="card" aria-labelledby="approve-head">
      <h2 id="approve-head">Approve a model</h2>
      <form onSubmit={submit} noValidate aria-labelledby="approve-head">
        <label htmlFor={ids.file}>ONNX model file</label>
        <input
          id={ids.file}
          type="file"
          accept=".onnx"
          onChange={chooseModel}
          disabled={busy}
          aria-describedby={ids.hash}
        />
        <div id={ids.hash} className="small" role="status">
          {file.status === 'hashing' ? (
            <span>
              <span className="spinner" aria-hidden="true" /> Computing the SHA-256 of {file.fileName} in your browser…
            </span>
          ) : file.status === 'ready' ? (
            <span>
              SHA-256 of {file.fileName} ({(file.size / 1024).toFixed(0)} KiB):{' '}
              <span className="mono break">{file.sha256.slice(2)}</span>
              {file.alreadyRegistered ? (
                <strong className="error-text block">This file is already in the registry.</strong>
              ) : null}
            </span>
          ) : file.status === 'failed' ? (
            <span className="error-text">Could not hash the file: {file.message}</span>
          ) : (
            <span className="muted">The file stays on this computer: only its SHA-256 goes on-chain.</span>
          )}
        </div>
        <div className="row">
          <div>
            <label htmlFor={ids.name}>Model name</label>
            <input
              id={ids.name}
              className="wide"
              value={name}
              onChange={(event) => setName(event.target.value)}
              disabled={busy}
            />
          </div>
          <div>
            <label htmlFor={ids.version}>Version</label>
            <input
              id={ids.version}
              type="number"
              min={1}
              step={1}
              inputMode="numeric"
              value={version}
              onChange={(event) => setVersion(event.target.value)}
              disabled={busy}
            />
          </div>
        </div>
        <label htmlFor={ids.card}>Model card (JSON, optional)</label>
        <input id={ids.card} type="file" accept=".json,application/json" onChange={chooseCard} disabled={busy} />
        <p className="muted small">
          The model card (metrics, intended use, limits) is stored on IPFS and its CID recorded with the model. Without
          one, a minimal card with the name, version and hash is stored.
        </p>
        {card && 'error' in card ? <p className="error-text small">{card.error}</p> : null}
        {problem ? (
          <p className="notice notice-error" role="alert">
            {problem}
          </p>
        ) : null}
        <button type="submit" disabled={busy || file.status === 'hashing'}>
          Approve model
        </button>
        {uploading ? (
          <p className="notice notice-pending" role="status">
            <span className="spinner" aria-hidden="true" /> Storing the model card on IPFS…
          </p>
        ) : (
          <TxStatus state={state} />
        )}
      </form>
    </section>
  );
}
