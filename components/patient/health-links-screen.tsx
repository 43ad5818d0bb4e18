'use client';

import { type FormEvent, useId, useState } from 'react';

import { CATEGORY_LABELS, type RecordCategoryName } from '../../lib/chain/categories';
import { describeError } from '../../lib/errors';
import type { PipelineProgress } from '../../lib/records/progress';
import type { Vault } from '../../lib/records/vault';
import {
  type CreatedLink,
  type LinkSummary,
  SHAREABLE_CATEGORIES,
  createHealthLink,
  listHealthLinks,
  revokeHealthLink,
} from '../../lib/shl';
import { formatDate } from '../records/format';
import { PatientGate } from './patient-gate';
import { CopyStatus, useLinkSharing } from './link-sharing';

const EXPIRIES = [
  { days: 1, label: '1 day' },
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
] as const;

const DEFAULT_CATEGORIES: readonly RecordCategoryName[] = ['allergy', 'medication', 'condition', 'immunization'];

const STATUS_TEXT: Record<LinkSummary['status'], string> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
  disabled: 'Disabled (too many wrong passcodes)',
};

/** A pipeline step as a sentence a person waits on. */
function progressSentence({ step, done, total }: PipelineProgress): string {
  switch (step) {
    case 'list':
      return 'Reading the list of your records from the chain…';
    case 'fetch':
    case 'decrypt':
      return total ? `Decrypting your records in this browser: ${done ?? 0} of ${total}…` : 'Decrypting your records…';
    case 'encrypt':
      return 'Encrypting the shared records with a new key that only the link will hold…';
    case 'sign':
      return 'Please sign the request in your wallet, so the app knows the link is yours…';
    default:
      return 'Working…';
  }
}

function categoriesText(names: readonly string[]): string {
  return names.map((name) => CATEGORY_LABELS[name as RecordCategoryName] ?? name).join(', ');
}

/** The new link: its text with Copy, and its QR code drawn in this browser. */
function NewLink({ created }: { created: CreatedLink }) {
  const { qr, copied, copy } = useLinkSharing(created.link);
  const fieldId = useId();

  return (
    <div className="shared-link">
      <p className="notice notice-ok" role="status">
        Your link is ready. It shares {created.resources} record{created.resources === 1 ? '' : 's'} until{' '}
        {formatDate(created.payload.exp)}
        {created.summary.passcode ? '; tell the receiver the passcode separately' : ''}. Copy it now: the key inside it
        is shown only here, and the app never had it.
        {created.unreadable > 0 ? ` ${created.unreadable} record(s) could not be opened and were left out.` : ''}
      </p>
      <div className="share-grid">
        <div>
          <label htmlFor={fieldId}>SMART Health Link</label>
          <textarea
            id={fieldId}
            className="mono small consent-link"
            readOnly
            rows={5}
            value={created.link}
            onFocus={(event) => event.target.select()}
          />
          <div className="button-row">
            <button type="button" onClick={copy}>
              Copy link
            </button>
          </div>
          <CopyStatus copied={copied} />
        </div>
        {qr ? (
          // A data: URL drawn locally from the link; nothing is fetched.
          <img className="qr" src={qr} alt="QR code of the SMART Health Link" width={240} height={240} />
        ) : (
          <p className="muted small">Drawing the QR code…</p>
        )}
      </div>
    </div>
  );
}

function CreateForm({ vault, onCreated }: { vault: Vault; onCreated: (created: CreatedLink) => void }) {
  const [categories, setCategories] = useState<Set<RecordCategoryName>>(new Set(DEFAULT_CATEGORIES));
  const [days, setDays] = useState<number>(7);
  const [passcode, setPasscode] = useState('');
  const [label, setLabel] = useState('');
  const [progress, setProgress] = useState<string>();
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<CreatedLink>();
  const [busy, setBusy] = useState(false);
  const ids = { expiry: useId(), passcode: useId(), label: useId() };

  function toggle(name: RecordCategoryName, checked: boolean) {
    setCategories((current) => {
      const next = new Set(current);
      if (checked) next.add(name);
      else next.delete(name);
      return next;
    });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setCreated(undefined);
    if (categories.size === 0) return setError('Choose at least one kind of record to share.');
    if (passcode !== '' && passcode.length < 4) return setError('A passcode needs at least 4 characters.');
    setBusy(true);
    setProgress('Starting…');
    try {
      const link = await createHealthLink(vault, {
        appUrl: window.location.origin,
        categories: SHAREABLE_CATEGORIES.filter((name) => categories.has(name)),
        exp: Math.floor(Date.now() / 1000) + days * 86_400,
        passcode: passcode || undefined,
        label: label || undefined,
        onProgress: (step) => setProgress(progressSentence(step)),
      });
      setCreated(link);
      setPasscode('');
      onCreated(link);
    } catch (caught) {
      setError(`The link was not made: ${describeError(caught)}`);
    } finally {
      setBusy(false);
      setProgress(undefined);
    }
  }

  return (
    <form onSubmit={submit}>
      <fieldset>
        <legend>What to share</legend>
        <div className="checks">
          {SHAREABLE_CATEGORIES.map((name) => (
            <label key={name}>
              <input
                type="checkbox"
                checked={categories.has(name)}
                onChange={(event) => toggle(name, event.target.checked)}
              />{' '}
              {CATEGORY_LABELS[name]}
            </label>
          ))}
        </div>
        <div className="button-row">
          <button type="button" className="secondary" onClick={() => setCategories(new Set(SHAREABLE_CATEGORIES))}>
            Select all
          </button>
          <button type="button" className="secondary" onClick={() => setCategories(new Set())}>
            Clear
          </button>
        </div>
        <p className="muted small field-hint">
          Documents are not offered: their files are encrypted under your record keys, which a link cannot carry.
        </p>
      </fieldset>
      <div className="row">
        <div>
          <label htmlFor={ids.expiry}>Link expires after</label>
          <select id={ids.expiry} value={days} onChange={(event) => setDays(Number(event.target.value))}>
            {EXPIRIES.map((choice) => (
              <option key={choice.days} value={choice.days}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={ids.passcode}>Passcode (optional)</label>
          <input
            id={ids.passcode}
            type="password"
            autoComplete="new-password"
            value={passcode}
            onChange={(event) => setPasscode(event.target.value)}
          />
        </div>
        <div>
          <label htmlFor={ids.label}>Label (optional, up to 80 characters)</label>
          <input
            id={ids.label}
            maxLength={80}
            value={label}
            placeholder="e.g. For my appointment at Riverside"
            onChange={(event) => setLabel(event.target.value)}
          />
        </div>
      </div>
      <div className="button-row">
        <button type="submit" disabled={busy}>
          {busy ? 'Making the link…' : 'Create link'}
        </button>
      </div>
      {progress ? (
        <p className="notice notice-pending" role="status">
          <span className="spinner" aria-hidden="true" /> {progress}
        </p>
      ) : null}
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      {created ? <NewLink created={created} /> : null}
    </form>
  );
}

function LinkRow({ vault, link, onRevoked }: { vault: Vault; link: LinkSummary; onRevoked: (id: string) => void }) {
  const [state, setState] = useState<{ busy?: boolean; error?: string }>({});

  async function revoke() {
    setState({ busy: true });
    try {
      await revokeHealthLink(vault.chain, window.location.origin, link.id);
      onRevoked(link.id);
      setState({});
    } catch (caught) {
      setState({ error: `The link was not revoked: ${describeError(caught)}` });
    }
  }

  const badge = link.status === 'active' ? 'badge badge-ok' : 'badge badge-bad';
  return (
    <li className="grant">
      <div className="grant-head">
        <strong className="break">{link.label ?? categoriesText(link.categories)}</strong>
        <span className={badge}>{STATUS_TEXT[link.status]}</span>
      </div>
      <p className="small record-meta">
        {categoriesText(link.categories)} · made {formatDate(link.createdAt)} · expires {formatDate(link.exp)}
        {link.passcode ? ` · passcode, ${link.remainingAttempts} wrong attempt(s) left` : ' · no passcode'}
      </p>
      {link.accesses.length === 0 ? (
        <p className="small empty">Nobody has opened it yet.</p>
      ) : (
        <ul className="small issue-list" aria-label="Who opened it">
          {link.accesses.map((access, index) => (
            <li key={`${access.time}-${index}`}>
              {formatDate(Math.floor(Date.parse(access.time) / 1000))}: {access.recipient}
              {access.outcome === 'wrong-passcode'
                ? ' (wrong passcode, nothing shared)'
                : access.outcome === 'no-passcode'
                  ? ' (no passcode given, nothing shared)'
                  : ''}
            </li>
          ))}
        </ul>
      )}
      {link.status === 'active' ? (
        <div className="button-row">
          <button type="button" className="secondary" onClick={revoke} disabled={state.busy}>
            {state.busy ? 'Revoking…' : 'Revoke'}
          </button>
        </div>
      ) : null}
      {state.error ? (
        <p className="notice notice-error" role="alert">
          {state.error}
        </p>
      ) : null}
    </li>
  );
}

function LinksList({ vault, latest }: { vault: Vault; latest?: CreatedLink }) {
  const [links, setLinks] = useState<LinkSummary[]>();
  const [state, setState] = useState<{ busy?: boolean; error?: string }>({});

  async function load() {
    setState({ busy: true });
    try {
      setLinks(await listHealthLinks(vault.chain, window.location.origin));
      setState({});
    } catch (caught) {
      setState({ error: `Your links could not be listed: ${describeError(caught)}` });
    }
  }

  // A link made after the list was loaded joins it without another signature.
  const shown =
    links && latest && !links.some((link) => link.id === latest.summary.id) ? [latest.summary, ...links] : links;

  return (
    <>
      <div className="button-row">
        <button type="button" onClick={load} disabled={state.busy}>
          {state.busy ? 'Loading…' : links ? 'Refresh' : 'Show my links'}
        </button>
      </div>
      <p className="muted small">Your wallet signs each request, so only you can see and revoke your links.</p>
      {state.error ? (
        <p className="notice notice-error" role="alert">
          {state.error}
        </p>
      ) : null}
      {shown ? (
        shown.length === 0 ? (
          <p className="empty">You have not made any links yet.</p>
        ) : (
          <ul className="grant-list" aria-label="Your SMART Health Links">
            {shown.map((link) => (
              <LinkRow
                key={link.id}
                vault={vault}
                link={link}
                onRevoked={(id) =>
                  setLinks((current) =>
                    (current ?? [link]).map((entry) =>
                      entry.id === id ? { ...entry, status: 'revoked' as const } : entry,
                    ),
                  )
                }
              />
            ))}
          </ul>
        )
      ) : null}
    </>
  );
}

function HealthLinks({ vault }: { vault: Vault }) {
  const [latest, setLatest] = useState<CreatedLink>();
  return (
    <>
      <section className="card" aria-labelledby="shl-create-head">
        <h2 id="shl-create-head">Make a link</h2>
        <p className="muted">
          A SMART Health Link opens in any SMART Health Links viewer, at a clinic, a school or a pharmacy. Your records
          are decrypted in this browser, encrypted again under a new key, and only that ciphertext is stored by this
          app; the key travels in the link alone.
        </p>
        <CreateForm vault={vault} onCreated={setLatest} />
      </section>
      <section className="card" aria-labelledby="shl-list-head">
        <h2 id="shl-list-head">Your links and who opened them</h2>
        <LinksList vault={vault} latest={latest} />
      </section>
    </>
  );
}

/** /patient/share: make SMART Health Links to chosen records, see who opened them, revoke them. */
export function HealthLinksScreen() {
  return <PatientGate>{(vault) => <HealthLinks vault={vault} />}</PatientGate>;
}
