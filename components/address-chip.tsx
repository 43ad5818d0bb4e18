'use client';

import { useState } from 'react';

import { shortAddress } from './records/format';
import styles from './provider-directory.module.css';

/**
 * A person's or organisation's address one click away from its name: shown short, whole in the
 * tooltip, copied on click (to check it against what the provider shows, or to paste it elsewhere).
 */
export function AddressChip({ address, of }: { address: string; of: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed'>();
  async function copy() {
    try {
      await navigator.clipboard.writeText(address);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  }
  return (
    <span className={styles.chip}>
      <button
        type="button"
        className={styles.chipButton}
        title={`${address} (click to copy)`}
        aria-label={`Copy the address of ${of}, ${address}`}
        onClick={copy}
      >
        {shortAddress(address)}
      </button>
      <span role="status" className="small muted">
        {copied === 'yes' ? 'Copied' : copied === 'failed' ? address : ''}
      </span>
    </span>
  );
}
