import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baselineOf, bucketByWindow, countByWindow, hasEnoughHistory, isBurst } from './windowed-baseline';

const layout = { now: 100, windowMs: 10, historyWindows: 3 };

describe('windowed baseline', () => {
  it('puts each time in its window: (now − w, now] is current, (now − 2w, now − w] before it …, the rest left out', () => {
    const { history, current } = bucketByWindow([100, 91, 90, 85, 70, 71, 60, 101], (t) => t, layout);
    assert.deepEqual(current, [100, 91]);
    assert.deepEqual(history, [[70], [71], [90, 85]]);
  });

  it('counts by binary search exactly what it buckets', () => {
    const times = [60, 61, 70, 71, 79, 80, 85, 90, 91, 99, 100, 101];
    const buckets = bucketByWindow(times, (t) => t, layout);
    assert.deepEqual(countByWindow(times, layout), {
      history: buckets.history.map((b) => b.length),
      current: buckets.current.length,
    });
  });

  it('counts quiet windows as zeros in the baseline', () => {
    assert.deepEqual(baselineOf([0, 0, 3, 1]), { mean: 1, sd: Math.sqrt(1.5) });
    assert.deepEqual(baselineOf([]), { mean: 0, sd: 0 });
  });

  it('calls a burst only above the floor, the factor and the sigmas together', () => {
    const thresholds = { factor: 3, sigmas: 3, minCount: 10 };
    assert.equal(isBurst(20, { mean: 2, sd: 1 }, thresholds), true);
    assert.equal(isBurst(10, { mean: 0, sd: 0 }, thresholds), false, 'floor');
    assert.equal(isBurst(20, { mean: 7, sd: 1 }, thresholds), false, 'factor');
    assert.equal(isBurst(20, { mean: 2, sd: 6 }, thresholds), false, 'sigmas');
  });

  it('needs the first event far enough before the window under review', () => {
    assert.equal(hasEnoughHistory(70, layout, 2), true);
    assert.equal(hasEnoughHistory(71, layout, 2), false);
  });
});
