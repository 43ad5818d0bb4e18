'use client';

import { toString as qrSvg } from 'qrcode';
import { useEffect, useState } from 'react';

/**
 * What a screen that hands out a link needs: its QR code, drawn in this browser (a data: URL; nothing
 * is fetched), and a Copy action with its outcome.
 */
export function useLinkSharing(link: string): { qr?: string; copied?: 'copied' | 'failed'; copy: () => Promise<void> } {
  const [qr, setQr] = useState<string>();
  const [copied, setCopied] = useState<'copied' | 'failed'>();

  useEffect(() => {
    let current = true;
    qrSvg(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
      .then((svg) => current && setQr(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`))
      .catch(() => current && setQr(undefined));
    return () => {
      current = false;
    };
  }, [link]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  }

  return { qr, copied, copy };
}

/** The outcome of Copy, read out to screen readers. */
export function CopyStatus({ copied }: { copied?: 'copied' | 'failed' }) {
  return (
    <p aria-live="polite" className="small">
      {copied === 'copied'
        ? 'Copied to the clipboard.'
        : copied === 'failed'
          ? 'Copying is blocked here; select the link and copy it.'
          : ''}
    </p>
  );
}
