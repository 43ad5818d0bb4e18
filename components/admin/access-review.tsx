'use client';

import { useQuery } from '@tanstack/react-query';

import { reviewProviders } from '../../lib/ai/unusual-access';
import { accessLog } from '../../lib/chain/activity';
import type { ChainContext } from '../../lib/chain/client';
import { describeError } from '../../lib/errors';
import { Skeleton } from '../gate';
import { ProviderName } from '../patient/provider-name';
import { formatDate, shortAddress } from '../records/format';
import { useProviderNames } from '../use-provider-directory';

/**
 * Unusual-access review over the whole deployment's access log: a provider that opened far more
 * patients or records in the last day than its own history suggests. The patients concerned see the
 * same finding on their risk-insights screen.
 */
export function AccessReview({ context }: { context: ChainContext }) {
  const { labelOf } = useProviderNames();
  const review = useQuery({
    queryKey: ['admin-access-review'],
    queryFn: async () => {
      const log = await accessLog(context);
      const events = log.map((entry) => ({
        provider: entry.provider,
        patient: entry.patient,
        recordIds: entry.recordIds.map(String),
        timestamp: entry.timestamp * 1000,
      }));
      const verdicts = reviewProviders(events, { now: Date.now() });
      return {
        log,
        findings: verdicts.flatMap((verdict) => verdict.findings),
        unjudged: verdicts.filter((verdict) => verdict.verdict === 'not-enough-history'),
        since: log[0]?.timestamp,
      };
    },
  });
  return (
    <section className="card" aria-labelledby="access-review-title">
      <div className="section-head">
        <h2 id="access-review-title">Unusual access</h2>
        <button type="button" className="secondary" onClick={() => review.refetch()} disabled={review.isFetching}>
          {review.isFetching ? 'Checking…' : 'Check again'}
        </button>
      </div>
      <p className="muted small">
        Compares each provider’s record reads in the last 24 hours with its own daily history (more than 3× its mean and
        3 standard deviations above it, and over 10). A provider whose first logged read is less than a week old has no
        history to compare with yet. Reads are logged on-chain by the provider’s client.
      </p>
      {review.isPending ? (
        <Skeleton lines={2} label="Reading the access log" />
      ) : review.error ? (
        <p className="notice notice-error" role="alert">
          Could not read the access log: {describeError(review.error)}
        </p>
      ) : review.data.findings.length === 0 ? (
        <>
          <p className="empty">
            No unusual access. {review.data.log.length} logged read{review.data.log.length === 1 ? '' : 's'}
            {review.data.since ? ` since ${formatDate(review.data.since * 1000)}` : ''} reviewed.
          </p>
          {review.data.unjudged.length > 0 ? (
            <p className="small muted">
              Not enough history yet to judge:{' '}
              {review.data.unjudged
                .map((verdict) => `${labelOf(verdict.provider)} (first read ${formatDate(verdict.firstSeen / 1000)})`)
                .join(', ')}
              .
            </p>
          ) : null}
        </>
      ) : (
        <div className="table-wrap">
          <table className="stack-table">
            <caption className="visually-hidden">Unusual access findings</caption>
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Finding</th>
                <th scope="col">Patients concerned</th>
              </tr>
            </thead>
            <tbody>
              {review.data.findings.map((finding) => (
                <tr key={`${finding.provider}-${finding.measure}`}>
                  <td data-label="Provider">
                    <ProviderName address={finding.provider} />
                  </td>
                  <td data-label="Finding">{finding.message}</td>
                  <td data-label="Patients concerned">{finding.patients.map(shortAddress).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
