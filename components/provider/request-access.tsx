'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type FormEvent, useId, useState } from 'react';
import { type Address, getAddress, isAddress } from 'viem';

import type { ChainContext } from '../../lib/chain/client';
import { writeMedLedger } from '../../lib/chain/medledger';
import { shortAddress } from '../records/format';
import { TxStatus } from '../tx-status';
import { useTx } from '../use-tx';
import { ScopePicker, scopeSummary } from './scopes';
import { providerDataKey } from './use-provider-data';

/**
 * Asks a patient for access. The provider's signed `requestAccess` transaction is the request: the
 * patient sees it on their dashboard and grants or declines; no message or reason goes on-chain.
 */
export function RequestAccessForm({
  context,
  patient: fixedPatient,
  initialScopes = 0n,
}: {
  context: ChainContext;
  /** Ask this patient only (no address field). */
  patient?: Address;
  /** Pre-ticked scopes, e.g. those of an expired grant being renewed. */
  initialScopes?: bigint;
}) {
  const queryClient = useQueryClient();
  const { state, run, busy } = useTx();
  const [patient, setPatient] = useState<string>(fixedPatient ?? '');
  const [scopes, setScopes] = useState(initialScopes);
  const [problem, setProblem] = useState<string>();
  const addressId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const address = patient.trim();
    if (!isAddress(address, { strict: false })) {
      setProblem('Enter the patient’s MedLedger address: 0x followed by 40 hexadecimal characters.');
      return;
    }
    if (scopes === 0n) {
      setProblem('Tick at least one kind of record to read or write.');
      return;
    }
    setProblem(undefined);
    const target = getAddress(address);
    const sent = await run(
      async ({ onStage }) => {
        await writeMedLedger(context, 'requestAccess', [target, scopes], { onStage });
        return true;
      },
      `Request sent to ${shortAddress(target)}: ${scopeSummary(scopes)}. The patient decides on their dashboard.`,
    );
    if (sent) {
      setScopes(0n);
      if (!fixedPatient) setPatient('');
      await queryClient.invalidateQueries({ queryKey: providerDataKey(context.account) });
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      {fixedPatient ? null : (
        <>
          <label htmlFor={addressId}>Patient address</label>
          <input
            id={addressId}
            className="mono wide"
            value={patient}
            onChange={(event) => setPatient(event.target.value)}
            placeholder="0x…"
            autoComplete="off"
            spellCheck={false}
            disabled={busy}
          />
        </>
      )}
      <ScopePicker value={scopes} onChange={setScopes} disabled={busy} />
      <p className="muted small">
        Sending the request is a transaction signed by your wallet, so the patient knows it really comes from you. Only
        your address and the kinds of record go on-chain, never a reason or a name.
      </p>
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        Send access request
      </button>
      <TxStatus state={state} />
    </form>
  );
}

/** Extracts the consent payload of a link like `https://…/consent#…` and opens it in this app. */
export function ConsentLinkForm() {
  const router = useRouter();
  const [link, setLink] = useState('');
  const [problem, setProblem] = useState<string>();
  const linkId = useId();

  function open(event: FormEvent) {
    event.preventDefault();
    let url: URL;
    try {
      url = new URL(link.trim(), window.location.origin);
    } catch {
      url = new URL('invalid:');
    }
    // Only the fragment is taken, so a pasted link never sends the browser to another site.
    if (!url.pathname.endsWith('/consent') || url.hash.length < 2) {
      setProblem('That is not a MedLedger consent link. It looks like …/consent# followed by a long code.');
      return;
    }
    setProblem(undefined);
    router.push(`/consent${url.hash}`);
  }

  return (
    <form onSubmit={open} noValidate>
      <label htmlFor={linkId}>Consent link</label>
      <input
        id={linkId}
        className="mono wide"
        value={link}
        onChange={(event) => setLink(event.target.value)}
        placeholder="https://…/consent#…"
        autoComplete="off"
        spellCheck={false}
      />
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      <button type="submit">Open consent link</button>
    </form>
  );
}
