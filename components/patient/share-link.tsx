'use client';

import { type FormEvent, useId, useState } from 'react';

import { writeMedLedger } from '../../lib/chain/medledger';
import { describeError } from '../../lib/errors';
import { type SignedConsent, signConsent } from '../../lib/records/consent';
import { consentLink } from '../../lib/records/consent-link';
import type { Vault } from '../../lib/records/vault';
import { ScopePicker, scopeSummary } from '../provider/scopes';
import { useAddressBook } from '../records/address-book';
import { formatDate } from '../records/format';
import { TxStatus } from '../tx-status';
import { useTx } from '../use-tx';
import { DEFAULT_EXPIRY, type ExpiryChoice, ExpiryPicker, expiryOf } from './expiry-picker';
import { checkProvider } from './provider-check';
import { useProviderLabel } from './provider-name';
import { NO_PROVIDER, type ProviderChoice, ProviderPicker, choiceProblem } from './provider-picker';
import { CopyStatus, useLinkSharing } from './link-sharing';

const LINK_VALIDITY = [
  { seconds: 3_600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 7 * 86_400, label: '7 days' },
] as const;

/** The signed link, its QR code (SVG drawn in this browser), Copy and Cancel. */
function SharedLink({
  vault,
  consent,
  onCancelled,
}: {
  vault: Vault;
  consent: SignedConsent;
  onCancelled: () => void;
}) {
  const link = consentLink(window.location.origin, {
    consent,
    chainId: vault.chain.deployment.chainId,
    contract: vault.chain.deployment.medLedger,
  });
  const { qr, copied, copy } = useLinkSharing(link);
  const linkId = useId();
  const cancel = useTx();
  const provider = useProviderLabel()(consent.provider);

  async function cancelLink() {
    const done = await cancel.run(async ({ onStage }) => {
      await writeMedLedger(vault.chain, 'cancelConsentSignature', [consent.nonce], { onStage });
      return true;
    }, 'The link is cancelled; it can no longer be used.');
    if (done) onCancelled();
  }

  if (cancel.state.status === 'confirmed') {
    return (
      <div className="shared-link">
        <TxStatus state={cancel.state} />
      </div>
    );
  }
  return (
    <div className="shared-link">
      <p className="notice notice-ok" role="status">
        Signed. Give this link or QR code to {provider}; they submit it from their own wallet (and pay the fee). It
        grants {scopeSummary(consent.scopes).toLowerCase()} until {formatDate(consent.expiry)}, and can be used until{' '}
        {formatDate(Number(consent.deadline))}, once.
      </p>
      <div className="share-grid">
        <div>
          <label htmlFor={linkId}>Consent link</label>
          <textarea
            id={linkId}
            className="mono small consent-link"
            readOnly
            rows={4}
            value={link}
            onFocus={(event) => event.target.select()}
          />
          <div className="button-row">
            <button type="button" onClick={copy}>
              Copy link
            </button>
            <button type="button" className="secondary" onClick={cancelLink} disabled={cancel.busy}>
              Cancel this link
            </button>
          </div>
          <CopyStatus copied={copied} />
          <TxStatus state={cancel.state} />
        </div>
        {qr ? (
          // A data: URL drawn locally from the link; nothing is fetched.
          <img className="qr" src={qr} alt="QR code of the consent link" width={240} height={240} />
        ) : (
          <div className="qr skeleton" role="status" aria-label="Drawing the QR code" />
        )}
      </div>
      <p className="small muted">
        Anyone who gets this link can only hand the access to this one provider. Signing a new link before this one is
        used makes only one of them usable. If the link leaks, cancel it.
      </p>
    </div>
  );
}

/**
 * "Share by link / QR": the patient signs an EIP-712 consent for a provider, scopes and expiry (no
 * transaction, no fee); the provider opens the link and submits it.
 */
export function ShareLinkForm({ vault, onChanged }: { vault: Vault; onChanged: () => void }) {
  const { setName } = useAddressBook();
  const labelOf = useProviderLabel();
  const [choice, setChoice] = useState<ProviderChoice>(NO_PROVIDER);
  const [scopes, setScopes] = useState(0n);
  const [expiry, setExpiry] = useState<ExpiryChoice>(DEFAULT_EXPIRY);
  const [validity, setValidity] = useState<number>(86_400);
  const [state, setState] = useState<
    | { status: 'idle' | 'signing' }
    | { status: 'failed'; message: string }
    | { status: 'signed'; consent: SignedConsent }
  >({
    status: 'idle',
  });
  const validityId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const unchosen = choiceProblem(choice);
    if (unchosen) return setState({ status: 'failed', message: unchosen });
    const until = expiryOf(expiry);
    if (!until)
      return setState({ status: 'failed', message: 'Choose when access ends: a preset or a date in the future.' });
    setState({ status: 'signing' });
    try {
      const checked = await checkProvider(vault, choice.address, scopes, labelOf);
      if ('problem' in checked) return setState({ status: 'failed', message: checked.problem });
      if (choice.typed && choice.localName.trim()) setName(checked.provider, choice.localName);
      const deadline = Math.floor(Date.now() / 1000) + validity;
      const consent = await signConsent(vault, { provider: checked.provider, scopes, expiry: until }, deadline);
      setState({ status: 'signed', consent });
    } catch (error) {
      setState({ status: 'failed', message: describeError(error) });
    }
  }

  const busy = state.status === 'signing';
  return (
    <>
      <form onSubmit={submit} aria-label="Share by link or QR code">
        <ProviderPicker
          value={choice}
          onChange={setChoice}
          exclude={vault.chain.account}
          disabled={busy}
          legend="Who is the link for?"
        />
        <ScopePicker value={scopes} onChange={setScopes} legend="What may this provider see and add?" disabled={busy} />
        <ExpiryPicker value={expiry} onChange={setExpiry} disabled={busy} />
        <label htmlFor={validityId}>The link can be used for</label>
        <select id={validityId} value={validity} onChange={(event) => setValidity(Number(event.target.value))}>
          {LINK_VALIDITY.map((option) => (
            <option key={option.seconds} value={option.seconds}>
              {option.label}
            </option>
          ))}
        </select>
        <div>
          <button type="submit" disabled={busy}>
            {busy ? 'Publishing keys and waiting for your signature…' : 'Create consent link'}
          </button>
        </div>
        <div aria-live="polite">
          {state.status === 'signing' ? (
            <p className="notice notice-pending">
              <span className="spinner" aria-hidden="true" /> Encrypting your keys for the provider and asking your
              wallet to sign the consent (no transaction, no fee)…
            </p>
          ) : null}
          {state.status === 'failed' ? (
            <p className="notice notice-error" role="alert">
              {state.message}
            </p>
          ) : null}
        </div>
      </form>
      {state.status === 'signed' ? (
        <SharedLink key={state.consent.signature} vault={vault} consent={state.consent} onCancelled={onChanged} />
      ) : null}
    </>
  );
}
