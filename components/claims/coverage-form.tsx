'use client';

import { type FormEvent, useId, useState } from 'react';
import { type Address, getAddress } from 'viem';

import type { ProviderAccess } from '../../lib/chain/activity';
import { grantAccess } from '../../lib/records/consent';
import type { Vault } from '../../lib/records/vault';
import { addRecords } from '../../lib/records/write';
import { useProviderLabel } from '../patient/provider-name';
import { formatDate, sameAddress } from '../records/format';
import { nowLocal } from '../records/resource-builders';
import { TxStatus } from '../tx-status';
import { useTx } from '../use-tx';
import { BILLING_RW, holdsBillingAccess } from './billing-access';
import { buildCoverage } from './claim-draft';
import { InsurerPicker } from './insurer-picker';

/** How long the billing access given with a coverage lasts: a policy year. */
const COVERAGE_ACCESS_SECONDS = 365 * 86_400;

/**
 * The patient records their insurance: the insurer picked by name from the directory, the member id
 * and plan, written as an encrypted FHIR Coverage; and, in the same step, the insurer gets read and
 * write access to Billing & insurance (added to whatever it already holds), so providers can send it
 * claims and it can file its decisions in the patient's record.
 */
export function CoverageForm({
  vault,
  patient,
  grants,
  onSaved,
}: {
  vault: Vault;
  patient: Address;
  grants: readonly ProviderAccess[];
  onSaved: () => void;
}) {
  const { state, run, busy } = useTx();
  const labelOf = useProviderLabel();
  const [insurer, setInsurer] = useState('');
  const [memberId, setMemberId] = useState('');
  const [plan, setPlan] = useState('');
  const [grant, setGrant] = useState(true);
  const [problem, setProblem] = useState<string>();
  const ids = { member: useId(), plan: useId(), grant: useId() };
  const grantOf = (address: string) => grants.find((candidate) => sameAddress(candidate.provider, address));
  const chosenGrant = insurer ? grantOf(insurer) : undefined;
  const alreadyGranted = holdsBillingAccess(chosenGrant);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(undefined);
    if (!insurer) return setProblem('Choose your insurer from the directory.');
    if (!memberId.trim()) return setProblem('Give your member id, as it is printed on your insurance card.');
    const address = getAddress(insurer);
    const name = labelOf(address);
    const giveAccess = grant && !alreadyGranted;
    const held = chosenGrant?.active ? chosenGrant : undefined;
    const expiry = Math.max(held?.expiry ?? 0, Math.floor(Date.now() / 1000) + COVERAGE_ACCESS_SECONDS);
    const done = await run(
      async ({ onProgress, onStage }) => {
        const coverage = buildCoverage(
          { insurer: { address, name }, memberId, plan },
          vault.chain.deployment.chainId,
          patient,
          nowLocal().slice(0, 10),
        );
        await addRecords(vault, patient, [{ payload: { resource: coverage } }], { onProgress });
        if (giveAccess) {
          await grantAccess(
            vault,
            { provider: address, scopes: (held?.scopes ?? 0n) | BILLING_RW, expiry },
            { onStage },
          );
        }
        return giveAccess
          ? `Your coverage with ${name} is recorded, and ${name} may now receive your claims and file its decisions, until ${formatDate(expiry)}.`
          : `Your coverage with ${name} is recorded.`;
      },
      (message: string) => message,
    );
    if (done) {
      setInsurer('');
      setMemberId('');
      setPlan('');
      onSaved();
    }
  }

  return (
    <form onSubmit={submit} aria-label="Record your insurance">
      <InsurerPicker
        value={insurer}
        onChange={setInsurer}
        exclude={patient}
        disabled={busy}
        legend="Your insurer"
        note={(address) =>
          holdsBillingAccess(grantOf(address)) ? 'Already receives your claims (billing access).' : undefined
        }
      />
      <div className="row">
        <div>
          <label htmlFor={ids.member}>Member id</label>
          <input
            id={ids.member}
            value={memberId}
            maxLength={64}
            autoComplete="off"
            placeholder="As on your insurance card"
            onChange={(event) => setMemberId(event.target.value)}
            disabled={busy}
          />
        </div>
        <div>
          <label htmlFor={ids.plan}>Plan (optional)</label>
          <input
            id={ids.plan}
            value={plan}
            maxLength={80}
            placeholder="e.g. Gold PPO"
            onChange={(event) => setPlan(event.target.value)}
            disabled={busy}
          />
        </div>
      </div>
      {alreadyGranted ? (
        <p className="small muted">
          {labelOf(insurer)} already holds read and write access to Billing &amp; insurance, until{' '}
          {formatDate(chosenGrant!.expiry)}.
        </p>
      ) : (
        <div className="checks consent-check">
          <label htmlFor={ids.grant}>
            <input
              id={ids.grant}
              type="checkbox"
              checked={grant}
              onChange={(event) => setGrant(event.target.checked)}
              disabled={busy}
            />
            Let {insurer ? labelOf(insurer) : 'this insurer'} receive claims about me and file its decisions in my
            record for a year (read and write access to Billing &amp; insurance only)
          </label>
        </div>
      )}
      <p className="small muted">
        Your coverage is encrypted in this browser and added to your records under Billing &amp; insurance; nothing
        about it goes on-chain in the clear. Giving access is a second transaction: your billing key is shared with this
        insurer, which can then open all your Billing &amp; insurance records (claims sent to another insurer too) and
        no other kind of record.
      </p>
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {busy ? 'Recording…' : 'Record my insurance'}
      </button>
      <TxStatus state={state} showSteps />
    </form>
  );
}
