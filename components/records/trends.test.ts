import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Resource } from '@medplum/fhirtypes';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

import type { RecordResult } from '../../lib/records/read';
import { historyBundle } from '../../lib/testing/history-fixture';
import { currentRecords } from './timeline-model';
import { Trends } from './trends';
import { rangeFlag, trendSeries } from './trends-model';

function records(resources: Resource[]) {
  return currentRecords(
    resources.map(
      (resource, index) =>
        ({
          ok: true,
          header: { recordId: BigInt(index + 1), supersedes: 0n, createdAt: 0, category: 1 },
          payload: { resource },
          superseded: false,
        }) as unknown as RecordResult,
    ),
  );
}

const fixture = () => records(historyBundle().entry!.map((entry) => entry.resource!));

describe('trendSeries', () => {
  it('charts what repeats, blood pressure first, then weight, BMI, HbA1c and lipids', () => {
    assert.deepEqual(
      trendSeries(fixture()).map((series) => series.label),
      ['Blood pressure', 'Body weight', 'BMI', 'HbA1c', 'Total cholesterol', 'HDL cholesterol'],
    );
  });

  it('splits blood pressure panels into systolic and diastolic lines with typical ranges', () => {
    const [bp] = trendSeries(fixture());
    assert.equal(bp!.unit, 'mmHg');
    assert.deepEqual(
      bp!.lines.map((line) => [line.label, line.points.map((point) => point.value), line.range]),
      [
        ['Systolic blood pressure', [128, 136, 142], { low: 90, high: 129, source: 'typical' }],
        ['Diastolic blood pressure', [82, 86, 90], { low: 60, high: 79, source: 'typical' }],
      ],
    );
  });

  it('traces every point to its record, oldest first', () => {
    const weight = trendSeries(fixture()).find((series) => series.key === '29463-7')!;
    const points = weight.lines[0]!.points;
    assert.deepEqual(
      points.map((point) => point.value),
      [78.2, 80.5, 83.1],
    );
    assert.ok(points.every((point, index) => index === 0 || point.time > points[index - 1]!.time));
    assert.ok(points.every((point) => typeof point.recordId === 'bigint' && point.recordId > 0n));
  });

  it('prefers the range the latest result carries over the typical one', () => {
    const hdl = trendSeries(fixture()).find((series) => series.key === '2085-9')!;
    assert.deepEqual(hdl.lines[0]!.range, { low: 40, high: undefined, source: 'result' });
  });

  it('leaves out a value measured once, and counts results in another unit instead of mixing them', () => {
    const weight = (value: number, unit: string, date: string) =>
      ({
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
        effectiveDateTime: date,
        valueQuantity: { value, unit, code: unit },
      }) as Resource;
    const once = {
      ...weight(1, 'kg', '2020-01-01'),
      code: { coding: [{ system: 'http://loinc.org', code: '8302-2' }] },
    } as Resource;
    const series = trendSeries(
      records([
        weight(80, 'kg', '2020-01-01'),
        weight(81, 'kg', '2021-01-01'),
        weight(180, '[lb_av]', '2022-01-01'),
        once,
      ]),
    );
    assert.deepEqual(
      series.map((item) => [item.key, item.lines[0]!.points.length, item.otherUnits]),
      [['29463-7', 2, 1]],
    );
  });
});

describe('rangeFlag', () => {
  it('says above, below or within', () => {
    const range = { low: 90, high: 129, source: 'typical' } as const;
    assert.equal(rangeFlag(142, range), 'high');
    assert.equal(rangeFlag(80, range), 'low');
    assert.equal(rangeFlag(120, range), 'normal');
    assert.equal(rangeFlag(120, undefined), undefined);
  });
});

describe('Trends', () => {
  it('renders a card per series with its latest value, range, an accessible chart and the values’ records', () => {
    const markup = renderToStaticMarkup(createElement(Trends, { series: trendSeries(fixture()) }));
    assert.match(markup, /<h4 class="trend-title">Blood pressure<\/h4>/);
    assert.match(markup, /<strong>142\/90 mmHg<\/strong>.*↑ High/);
    assert.match(
      markup,
      /role="img" aria-label="Blood pressure: 3 values from .* latest 142\/90 mmHg, above the reference range\."/,
    );
    assert.match(markup, /Shaded: reference 90–129 mmHg \(typical adult range\)/);
    assert.match(markup, /<td>#\d+, #\d+<\/td>|<td>#\d+<\/td>/);
    assert.doesNotMatch(markup, /"resourceType"/);
  });

  it('says so when nothing repeats', () => {
    assert.match(
      renderToStaticMarkup(createElement(Trends, { series: [] })),
      /No measurement has been taken more than once/,
    );
  });
});
