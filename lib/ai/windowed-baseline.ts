/**
 * "Far more than its own usual": the windowed baseline shared by the unusual-access detector (reads per
 * provider) and the claims review (claims per provider). Time is cut into equal windows ending at
 * `now`; the last window is the one under review, the `historyWindows` before it form the baseline
 * (quiet windows count as zeros), and a count is a burst only when it clears an absolute floor, a
 * multiple of the mean and a number of standard deviations above it.
 */

/** Where the windows lie. */
export interface WindowLayout {
  /** End (inclusive) of the window under review, in milliseconds. */
  readonly now: number;
  readonly windowMs: number;
  /** How many windows before the one under review form the baseline. */
  readonly historyWindows: number;
}

/** When a count is far enough above its baseline to be called a burst. */
export interface BurstThresholds {
  /** The count must exceed this multiple of the baseline mean … */
  readonly factor: number;
  /** … and the mean by this many standard deviations … */
  readonly sigmas: number;
  /** … and this absolute number. */
  readonly minCount: number;
}

/** Mean and (population) standard deviation of per-window counts. */
export interface Baseline {
  readonly mean: number;
  readonly sd: number;
}

/** Milliseconds of a timestamp given as a number or a Date. */
export const millis = (t: number | Date): number => (t instanceof Date ? t.getTime() : t);

/** Start (exclusive) of the window under review. */
const windowStartOf = (layout: WindowLayout): number => layout.now - layout.windowMs;

/**
 * Sorts items into the history windows and the window under review. Items at or before the start of
 * the history, or after `now`, are left out.
 *
 * @param items - timestamped items in any order
 * @param timeOf - the item's time in milliseconds
 * @param layout - where the windows lie
 * @returns `history[0]` is the oldest window, `current` the one under review
 */
export function bucketByWindow<T>(
  items: Iterable<T>,
  timeOf: (item: T) => number,
  layout: WindowLayout,
): { history: T[][]; current: T[] } {
  const historyStart = windowStartOf(layout) - layout.historyWindows * layout.windowMs;
  const buckets = Array.from({ length: layout.historyWindows + 1 }, (): T[] => []);
  for (const item of items) {
    const t = timeOf(item);
    if (t <= historyStart || t > layout.now) continue;
    buckets[Math.min(layout.historyWindows, Math.floor((t - historyStart - 1) / layout.windowMs))]!.push(item);
  }
  return { history: buckets.slice(0, layout.historyWindows), current: buckets[layout.historyWindows]! };
}

/** Index of the first time greater than `t` in ascending `times`. */
export function upperBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Counts per window of ascending integer millisecond times, with the windows of {@link bucketByWindow},
 * by binary search: O(windows · log n), for long histories reviewed at every event.
 *
 * @param sortedTimes - event times in ascending order
 * @param layout - where the windows lie
 */
export function countByWindow(
  sortedTimes: readonly number[],
  layout: WindowLayout,
): { history: number[]; current: number } {
  const historyStart = windowStartOf(layout) - layout.historyWindows * layout.windowMs;
  const edges = Array.from({ length: layout.historyWindows + 2 }, (_, k) =>
    upperBound(sortedTimes, historyStart + k * layout.windowMs),
  );
  const counts = edges.slice(1).map((edge, k) => edge - edges[k]!);
  return { history: counts.slice(0, layout.historyWindows), current: counts[layout.historyWindows]! };
}

/**
 * Whether something first seen at `firstSeen` has at least `minHistoryWindows` windows of history
 * before the window under review; until then it has no usual to be unusual against.
 *
 * @param firstSeen - milliseconds of its first event
 * @param layout - where the windows lie
 * @param minHistoryWindows - windows of history required
 */
export function hasEnoughHistory(firstSeen: number, layout: WindowLayout, minHistoryWindows: number): boolean {
  return firstSeen <= windowStartOf(layout) - minHistoryWindows * layout.windowMs;
}

/**
 * Mean and population standard deviation of per-window counts.
 *
 * @param counts - one count per history window, quiet windows included
 */
export function baselineOf(counts: readonly number[]): Baseline {
  if (counts.length === 0) return { mean: 0, sd: 0 };
  const mean = counts.reduce((sum, c) => sum + c, 0) / counts.length;
  return { mean, sd: Math.sqrt(counts.reduce((sum, c) => sum + (c - mean) ** 2, 0) / counts.length) };
}

/**
 * Whether `count` is a burst against `baseline`.
 *
 * @param count - the count in the window under review
 * @param baseline - the history's mean and standard deviation
 * @param thresholds - floor, factor and sigmas, all of which must be exceeded
 */
export function isBurst(count: number, baseline: Baseline, thresholds: BurstThresholds): boolean {
  return (
    count > thresholds.minCount &&
    count > thresholds.factor * baseline.mean &&
    count > baseline.mean + thresholds.sigmas * baseline.sd
  );
}
