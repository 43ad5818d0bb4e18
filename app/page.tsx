import Link from 'next/link';

import { SiteHeader } from '../components/site-header';

// Rendered per request so Next.js can put the Content-Security-Policy nonce (proxy.ts) on its scripts.
export const dynamic = 'force-dynamic';

/**
 * The landing page is plain server-rendered HTML with no wallet code: connecting happens on the
 * screens behind "Get started", so a first visit downloads as little as possible.
 */
export default function LandingPage() {
  return (
    <>
      <SiteHeader
        account={
          <Link className="button" href="/onboarding">
            Connect wallet
          </Link>
        }
      />
      <main id="main" tabIndex={-1}>
        <div className="landing">
          <section className="hero">
            <h1>Your medical records. Your keys. Your consent.</h1>
            <p className="lead">
              MedLedger keeps your health records encrypted in your own browser, stores only ciphertext on IPFS, and
              records on Ethereum who may read what — and who did.
            </p>
            <p>
              <Link className="button" href="/onboarding">
                Get started
              </Link>
            </p>
          </section>
          <section className="cards" aria-label="Who it is for">
            <article className="card">
              <h2>Patients</h2>
              <p>
                See every record by category, add results and documents, grant and revoke access, and read the audit
                trail.
              </p>
              <Link href="/patient">Open the patient dashboard</Link>
            </article>
            <article className="card">
              <h2>Providers</h2>
              <p>
                Request access, read what a patient shared (every read is logged on-chain), and add results with write
                consent.
              </p>
              <Link href="/provider">Open the provider dashboard</Link>
            </article>
            <article className="card">
              <h2>Administrators</h2>
              <p>Register, suspend and reinstate providers; approve the AI models clients are allowed to run.</p>
              <Link href="/admin">Open the admin dashboard</Link>
            </article>
          </section>
          <section className="card">
            <h2>What never leaves your device</h2>
            <ul>
              <li>
                Your records in readable form: they are encrypted before upload, with a key derived from your wallet.
              </li>
              <li>
                Names, diagnoses or anything else about your health: the chain holds only content IDs, hashes and
                consents.
              </li>
            </ul>
          </section>
        </div>
      </main>
    </>
  );
}
