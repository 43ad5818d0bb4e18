/**
 * Unusual-access detection over audit events: a provider who, in the latest window, opens far more
 * distinct patients or records than in its own history is flagged for the admin and the patients
 * concerned. A pure function over events, so the same code runs on chain logs, in tests and in the UI.
 * The windowed baseline is shared with the claims review (claims per provider): `windowed-baseline.ts`.
 */
import { baselineOf, bucketByWindow, hasEnoughHistory, isBurst, millis, type WindowLayout } from './windowed-baseline';

export interface AccessEvent {
  /** Provider address or id. */
  readonly provider: string;
  /** Patient address or id. */
  readonly patient: string;
  readonly recordIds: readonly string[];
  /** Milliseconds since the epoch (or a Date). */
  readonly timestamp: number | Date;
}

export interface UnusualAccessOptions {
  /** End of the window under review; default: the latest event. */
  readonly now?: number | Date;
  /** Length of a window in milliseconds; default one day. */
  readonly windowMs?: number;
  /** How many earlier windows form a provider's history; default 30. */
  readonly historyWindows?: number;
  /** Flag when the window's count exceeds this multiple of the historical mean …; default 3. */
  readonly factor?: number;
  /** … and exceeds the mean by this many standard deviations; default 3. */
  readonly sigmas?: number;
  /** Counts at or below this are never flagged, however quiet the history; default 10. */
  readonly minCount?: number;
  /**
   * A provider is judged only once its first logged read lies at least this many windows before the
   * window under review; until then it has no history to be unusual against. Default 7.
   */
  readonly minHistoryWindows?: number;
}

/** What the review says of one provider. */
export interface ProviderVerdict {
  readonly provider: string;
  readonly verdict: 'unusual' | 'usual' | 'not-enough-history';
  /** Its findings (for `unusual`). */
  readonly findings: readonly UnusualAccessFinding[];
  /** Milliseconds of its first logged read. */
  readonly firstSeen: number;
}

export interface UnusualAccessFinding {
  readonly provider: string;
  readonly measure: 'patients' | 'records';
  readonly count: number;
  /** Mean per window over the provider's history. */
  readonly baselineMean: number;
  readonly baselineSd: number;
  /** Windows of history that had any activity. */
  readonly activeHistoryWindows: number;
  /** Patients whose data was opened in the window, so each can be told. */
  readonly patients: readonly string[];
  readonly message: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Finds providers whose distinct patients or records opened in the latest window are far above
 * their own per-window history (mean over `historyWindows` earlier windows, quiet ones included).
 * Providers without enough history yet are never flagged (see {@link reviewProviders}).
 *
 * @param events - audit events in any order
 * @param options - window, history length and thresholds
 */
export function detectUnusualAccess(
  events: readonly AccessEvent[],
  options: UnusualAccessOptions = {},
): UnusualAccessFinding[] {
  return reviewProviders(events, options).flatMap((verdict) => verdict.findings);
}

/**
 * The verdict on every provider in `events`: unusual (with the findings), usual, or not enough history
 * yet to judge. Judge a provider on its whole access log (every patient), never on one patient's
 * slice of it: the admin's screen and each patient's screen then give the same verdict for the same data.
 *
 * @param events - audit events in any order
 * @param options - window, history length and thresholds
 */
export function reviewProviders(events: readonly AccessEvent[], options: UnusualAccessOptions = {}): ProviderVerdict[] {
  if (events.length === 0) return [];
  const minHistoryWindows = options.minHistoryWindows ?? 7;
  const windowMs = options.windowMs ?? DAY_MS;
  const historyWindows = options.historyWindows ?? 30;
  const thresholds = { factor: options.factor ?? 3, sigmas: options.sigmas ?? 3, minCount: options.minCount ?? 10 };
  const now = options.now === undefined ? Math.max(...events.map((e) => millis(e.timestamp))) : millis(options.now);
  const layout: WindowLayout = { now, windowMs, historyWindows };

  const byProvider = new Map<string, AccessEvent[]>();
  for (const event of events) {
    const list = byProvider.get(event.provider) ?? [];
    list.push(event);
    byProvider.set(event.provider, list);
  }

  const verdicts: ProviderVerdict[] = [];
  for (const [provider, list] of [...byProvider.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const firstSeen = Math.min(...list.map((event) => millis(event.timestamp)));
    if (!hasEnoughHistory(firstSeen, layout, minHistoryWindows)) {
      verdicts.push({ provider, verdict: 'not-enough-history', findings: [], firstSeen });
      continue;
    }
    const findings: UnusualAccessFinding[] = [];
    const windows = bucketByWindow(list, (event) => millis(event.timestamp), layout);
    const distinct = (bucket: readonly AccessEvent[]) => ({
      patients: new Set(bucket.map((event) => event.patient)),
      records: new Set(bucket.flatMap((event) => event.recordIds.map((record) => `${event.patient}/${record}`))),
    });
    const current = distinct(windows.current);
    const history = windows.history.map(distinct);
    const activeHistoryWindows = history.filter((b) => b.patients.size > 0).length;
    for (const measure of ['patients', 'records'] as const) {
      const count = current[measure].size;
      const baseline = baselineOf(history.map((b) => b[measure].size));
      if (!isBurst(count, baseline, thresholds)) continue;
      findings.push({
        provider,
        measure,
        count,
        baselineMean: baseline.mean,
        baselineSd: baseline.sd,
        activeHistoryWindows,
        patients: [...current.patients].sort(),
        message: `${provider} opened ${count} ${measure} in the last ${windowMs / 3_600_000} h; its usual is ${baseline.mean.toFixed(1)} ± ${baseline.sd.toFixed(1)} per window over ${historyWindows} windows.`,
      });
    }
    verdicts.push({ provider, verdict: findings.length > 0 ? 'unusual' : 'usual', findings, firstSeen });
  }
  return verdicts;
}
