'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';

import { readMedLedger } from '../../lib/chain/medledger';
import { ValidationError, describeError } from '../../lib/errors';
import { submitConsent } from '../../lib/records/consent';
import { type ConsentLink, consentLinkProblem, parseConsentFragment } from '../../lib/records/consent-link';
import type { Vault } from '../../lib/records/vault';
import { Skeleton, VaultGate } from '../gate';
import { ProviderName } from '../patient/provider-name';
import { scopeSummary } from '../provider/scopes';
import { IssueList } from '../records/import-forms';
import { formatDate, relativeTime, shortAddress } from '../records/format';
import { TxStatus } from '../tx-status';
import { useTx } from '../use-tx';

type Decoded =
  | { status: 'reading' }
  | { status: 'empty' }
  | { status: 'damaged'; error: unknown }
  | { status: 'ok'; link: ConsentLink };

/** The consent in the page's URL fragment, re-read when the fragment changes (a second pasted link). */
function useConsentFromHash(): Decoded {
  const [decoded, setDecoded] = useState<Decoded>({ status: 'reading' });
  useEffect(() => {
    const read = () => {
      const hash = window.location.hash;
      if (hash.length <= 1) return setDecoded({ status: 'empty' });
      try {
        setDecoded({ status: 'ok', link: parseConsentFragment(hash) });
      } catch (error) {
        setDecoded({ status: 'damaged', error });
      }
    };
    read();
    window.addEventListener('hashchange', read);
    return () => window.removeEventListener('hashchange', read);
  }, []);
  return decoded;
}

function Terms({ link }: { link: ConsentLink }) {
  const { consent } = link;
  const now = Date.now() / 1000;
  const deadline = Number(consent.deadline);
  return (
    <section className="card" aria-labelledby="terms-head">
      <h2 id="terms-head">What the patient consents to</h2>
      <dl className="facts">
        <dt>Patient</dt>
        <dd className="mono">{consent.patient}</dd>
        <dt>Provider</dt>
        <dd>
          <ProviderName address={consent.provider} />
        </dd>
        <dt>May</dt>
        <dd>{scopeSummary(consent.scopes)}</dd>
        <dt>Access until</dt>
        <dd>
          {formatDate(consent.expiry)} ({relativeTime(consent.expiry)})
          {consent.expiry <= now ? <span className="badge badge-bad">already ended</span> : null}
        </dd>
        <dt>Link usable until</dt>
        <dd>
          {formatDate(deadline)} ({relativeTime(deadline)})
          {deadline < now ? <span className="badge badge-bad">expired</span> : null}
        </dd>
      </dl>
      <p className="small muted">
        Signed by the patient’s wallet for chain {link.chainId}, contract{' '}
        <span className="mono">{shortAddress(link.contract)}</span>. Submitting it records the grant on-chain; the
        signature works once.
      </p>
    </section>
  );
}

function Submit({ vault, link }: { vault: Vault; link: ConsentLink }) {
  const { consent } = link;
  const { state, run, busy } = useTx();
  const queryClient = useQueryClient();
  const nonce = useQuery({
    queryKey: ['consent-nonce', consent.patient],
    queryFn: () => readMedLedger(vault.chain, 'nonces', [consent.patient]),
  });
  if (nonce.isPending) return <Skeleton lines={1} label="Checking the link on-chain" />;
  const submitted = state.status === 'confirmed';
  const problem = submitted
    ? undefined
    : consentLinkProblem(link, {
        chainId: vault.chain.deployment.chainId,
        contract: vault.chain.deployment.medLedger,
        account: vault.chain.account,
        nonce: nonce.data,
      });

  async function submit() {
    await run(async ({ onStage }) => {
      await submitConsent(vault, consent, { onStage });
      return true;
    }, 'Consent recorded on-chain. You now have access.');
    await queryClient.invalidateQueries();
  }

  return (
    <section className="card" aria-labelledby="submit-head">
      <h2 id="submit-head">Submit the consent</h2>
      {nonce.isError ? (
        <p className="notice notice-error">Could not check whether the link was used: {describeError(nonce.error)}</p>
      ) : null}
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : (
        !submitted && (
          <>
            <p>Your wallet sends one transaction (you pay its fee). The patient is not asked again.</p>
            <button type="button" onClick={submit} disabled={busy}>
              Submit consent
            </button>
          </>
        )
      )}
      <TxStatus state={state} />
      {submitted ? (
        <p>
          <Link className="button" href={`/provider/patient?address=${consent.patient}`}>
            Open the patient’s records
          </Link>
        </p>
      ) : null}
    </section>
  );
}

/**
 * /consent#…: a provider opens the link a patient signed, reads the terms, and submits them with its own
 * wallet; a damaged, expired, used or wrongly addressed link says so.
 */
export function ConsentScreen() {
  const decoded = useConsentFromHash();
  if (decoded.status === 'reading') return <Skeleton lines={3} label="Reading the consent link" />;
  if (decoded.status === 'empty') {
    return (
      <div className="card">
        <h2>No consent in this link</h2>
        <p>Open the full link the patient gave you (it continues after “/consent#”), or scan their QR code.</p>
      </div>
    );
  }
  if (decoded.status === 'damaged') {
    return decoded.error instanceof ValidationError ? (
      <IssueList
        title="This consent link is damaged."
        issues={decoded.error.issues}
        advice="Nothing was submitted. Ask the patient to send the link again, or scan their QR code:"
      />
    ) : (
      <p className="notice notice-error" role="alert">
        {describeError(decoded.error)}
      </p>
    );
  }
  return (
    <>
      <Terms link={decoded.link} />
      <VaultGate role="provider">{(vault) => <Submit vault={vault} link={decoded.link} />}</VaultGate>
    </>
  );
}
