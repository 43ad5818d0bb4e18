'use client';

import type { DocumentReference } from '@medplum/fhirtypes';
import { useEffect, useState } from 'react';

import { describeError } from '../../lib/errors';
import { type OpenRecord, openAttachment } from '../../lib/records/read';
import type { Vault } from '../../lib/records/vault';
import { downloadBlob } from './download';

type State =
  | { status: 'idle' }
  | { status: 'opening'; done?: number; total?: number; purpose: 'preview' | 'download' }
  | { status: 'preview'; url: string; contentType: string }
  | { status: 'failed'; message: string };

const PREVIEWABLE = /^(application\/pdf|image\/(png|jpeg|gif|webp|bmp))$/;

const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/pdf': '.pdf',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'application/dicom': '.dcm',
};

/** The title as a file name, with the extension of its content type when it has none. */
function fileNameOf(title: string, contentType: string): string {
  const extension = EXTENSIONS[contentType];
  return extension && !/\.[a-z0-9]{2,5}$/i.test(title) ? `${title}${extension}` : title;
}

function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The encrypted file of a DocumentReference: fetched, verified and decrypted in the browser only when
 * asked, previewed inline (PDF, images) from a blob: URL, or saved with Download.
 */
export function AttachmentView({ vault, record }: { vault: Vault; record: OpenRecord }) {
  const document = record.payload.resource as DocumentReference;
  const attachment = document.content?.[0]?.attachment;
  const title = attachment?.title ?? document.description ?? 'Document';
  const contentType = attachment?.contentType ?? 'application/octet-stream';
  const [state, setState] = useState<State>({ status: 'idle' });

  useEffect(
    () => () => {
      if (state.status === 'preview') URL.revokeObjectURL(state.url);
    },
    [state],
  );

  async function open(purpose: 'preview' | 'download') {
    setState({ status: 'opening', purpose });
    try {
      const { bytes } = await openAttachment(vault, record, {
        onProgress: ({ done, total }) => setState({ status: 'opening', purpose, done, total }),
      });
      const blob = new Blob([bytes as BlobPart], { type: contentType });
      if (purpose === 'download') {
        downloadBlob(blob, fileNameOf(title, contentType));
        setState({ status: 'idle' });
      } else {
        setState({ status: 'preview', url: URL.createObjectURL(blob), contentType });
      }
    } catch (error) {
      setState({ status: 'failed', message: describeError(error) });
    }
  }

  const busy = state.status === 'opening';
  return (
    <div className="attachment">
      <p className="small muted">
        {contentType}
        {attachment?.size ? `, ${formatBytes(attachment.size)}` : ''}. Stored encrypted; it is decrypted only in this
        browser.
      </p>
      <div className="button-row">
        {PREVIEWABLE.test(contentType) ? (
          state.status === 'preview' ? (
            <button type="button" className="secondary" onClick={() => setState({ status: 'idle' })}>
              Hide preview of {title}
            </button>
          ) : (
            <button type="button" className="secondary" onClick={() => open('preview')} disabled={busy}>
              Preview {title}
            </button>
          )
        ) : null}
        <button type="button" onClick={() => open('download')} disabled={busy}>
          Download {title}
        </button>
      </div>
      {state.status === 'opening' ? (
        <div role="status" aria-live="polite" className="small">
          <span className="spinner" aria-hidden="true" /> Fetching, verifying and decrypting
          {state.total ? ` (${formatBytes(state.done)} of ${formatBytes(state.total)})` : ''}…
          {state.total ? <progress max={state.total} value={state.done ?? 0} aria-label="Decryption progress" /> : null}
        </div>
      ) : null}
      {state.status === 'failed' ? (
        <p role="alert" className="notice notice-error">
          Could not open the file: {state.message} Try again; if it keeps failing, the file may no longer be stored.
        </p>
      ) : null}
      {state.status === 'preview' ? (
        state.contentType === 'application/pdf' ? (
          <iframe className="preview" src={state.url} title={`Preview of ${title}`} />
        ) : (
          // A blob: URL of decrypted bytes: next/image cannot optimise it and must not fetch it.
          <img className="preview-img" src={state.url} alt={`Preview of ${title}`} />
        )
      ) : null}
    </div>
  );
}
