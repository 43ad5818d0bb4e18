/**
 * Structural validation of FHIR R4 JSON against ./schema (generated from the R4 StructureDefinitions):
 * element names, cardinality, JSON types, primitive formats, required codes, choice types, `_element`
 * companions, content (no null, no empty objects, arrays or strings), the invariants records get wrong
 * (./invariants), Bundle rules (./bundle-rules) and the core vital-signs profiles (./vitals). Every
 * issue is collected with its path, then reported at once in one ValidationError.
 */
import type { Resource } from '@medplum/fhirtypes';

import { ValidationError } from '../errors';
import { bundleIssues } from './bundle-rules';
import { dataTypeIssues, resourceInvariantIssues } from './invariants';
import type { FhirIssue, IssueType } from './outcome';
import { PRIMITIVES, primitiveJsonType } from './primitives';
import { BACKBONE_ELEMENTS, DATA_TYPES, RESOURCES, RESOURCE_TYPES, type ElementSpec, type Spec } from './schema';
import { vitalSignsIssues } from './vitals';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const capitalize = (type: string) => type.charAt(0).toUpperCase() + type.slice(1);
const isPrimitive = (type: string) => PRIMITIVES[type] !== undefined;

/** `id` and `extension` of a primitive's `_name` companion. */
const PRIMITIVE_ELEMENT: Spec = {
  id: { type: ['string'], min: 0, many: false },
  extension: { type: ['Extension'], min: 0, many: true },
};

/** Whether `resourceType` is validated element by element (other R4 types are checked as JSON only). */
export function isModelledResourceType(resourceType: string): boolean {
  return Object.hasOwn(RESOURCES, resourceType);
}

interface Found {
  readonly name: string;
  readonly element: ElementSpec;
  readonly type: string;
}

/** Finds the element a JSON key names: a plain element or one variant of a choice `[x]`. */
function elementFor(spec: Spec, key: string): Found | undefined {
  // Own keys only: a resource key such as "valueOf" or "constructor" must not find Object.prototype.
  const direct = Object.hasOwn(spec, key) ? spec[key] : undefined;
  if (direct) return { name: key, element: direct, type: direct.type[0] as string };
  for (const [name, element] of Object.entries(spec)) {
    if (!name.endsWith('[x]')) continue;
    const base = name.slice(0, -3);
    if (!key.startsWith(base)) continue;
    const type = element.type.find((candidate) => base + capitalize(candidate) === key);
    if (type) return { name, element, type };
  }
  return undefined;
}

class Validator {
  readonly issues: FhirIssue[] = [];

  private add(path: string, code: IssueType, message: string): void {
    this.issues.push({ path, severity: 'error', code, message });
  }

  resource(value: unknown, path: string | undefined): void {
    if (!isObject(value)) {
      this.add(path ?? 'Resource', 'structure', 'must be a JSON object');
      return;
    }
    const { resourceType } = value;
    if (typeof resourceType !== 'string' || !RESOURCE_TYPES.has(resourceType)) {
      this.add(
        `${path ?? 'Resource'}.resourceType`,
        resourceType === undefined ? 'required' : 'not-supported',
        resourceType === undefined ? 'is required' : `${JSON.stringify(resourceType)} is not an R4 resource type`,
      );
      return;
    }
    const at = path ?? resourceType;
    const spec = RESOURCES[resourceType];
    if (spec) {
      this.object(value, spec, at, true);
    } else {
      // An R4 type the schema leaves out: its JSON must still be FHIR JSON.
      for (const [key, child] of Object.entries(value)) {
        if (key === 'resourceType') continue;
        if (key === 'id') this.single(child, 'id', `${at}.id`, undefined);
        else if (key === 'meta') this.single(child, 'Meta', `${at}.meta`, undefined);
        else this.content(child, `${at}.${key}`);
      }
    }
    this.issues.push(...resourceInvariantIssues(value, at));
    if (resourceType === 'Bundle') this.issues.push(...bundleIssues(value, at));
    if (resourceType === 'Observation') this.issues.push(...vitalSignsIssues(value, at));
  }

  /** Generic FHIR JSON: no null, no empty objects, arrays or strings, anywhere below `value`. */
  private content(value: unknown, path: string): void {
    if (value === null) this.add(path, 'structure', 'must not be null (omit the element instead)');
    else if (value === '') this.add(path, 'structure', 'must have content: an empty string is not a value');
    else if (Array.isArray(value)) {
      if (value.length === 0) this.add(path, 'structure', 'must have content: omit an empty array');
      value.forEach((item, index) => this.content(item, `${path}[${index}]`));
    } else if (isObject(value)) {
      if (Object.keys(value).length === 0) this.add(path, 'structure', 'must have content: omit an empty object');
      if (typeof value.resourceType === 'string') this.resource(value, path);
      else for (const [key, child] of Object.entries(value)) this.content(child, `${path}.${key}`);
    }
  }

  private object(value: JsonObject, spec: Spec, path: string, isResource: boolean): void {
    const seenChoices = new Map<string, string>();
    for (const [key, child] of Object.entries(value)) {
      if (isResource && key === 'resourceType') continue;
      const childPath = `${path}.${key}`;
      if (key.startsWith('_')) {
        this.companion(value, key, child, spec, childPath);
        continue;
      }
      const found = elementFor(spec, key);
      if (!found) {
        this.add(childPath, 'structure', 'is not an element of this type');
        continue;
      }
      if (found.name.endsWith('[x]')) {
        const earlier = seenChoices.get(found.name);
        if (earlier) this.add(childPath, 'structure', `only one of ${found.name} may be present (also ${earlier})`);
        seenChoices.set(found.name, key);
      }
      this.element(child, found, childPath, value[`_${key}`]);
    }
    for (const [name, element] of Object.entries(spec)) {
      if (element.min === 0) continue;
      const present = name.endsWith('[x]')
        ? seenChoices.has(name) || Object.keys(value).some((key) => key.startsWith(`_${name.slice(0, -3)}`))
        : value[name] !== undefined || value[`_${name}`] !== undefined;
      if (!present) this.add(`${path}.${name}`, 'required', `is required (minimum cardinality ${element.min})`);
    }
    if (Object.keys(value).length === 1 && value.id !== undefined && !isResource)
      this.add(path, 'invariant', 'must have content beyond its id (ele-1)');
  }

  /** `_name` beside a primitive `name`: its id and extensions, aligned item by item with an array. */
  private companion(holder: JsonObject, key: string, value: unknown, spec: Spec, path: string): void {
    const found = elementFor(spec, key.slice(1));
    if (!found || !isPrimitive(found.type)) {
      this.add(path, 'structure', 'is not the companion of a primitive element');
      return;
    }
    if (!found.element.many) {
      if (!isObject(value)) this.add(path, 'structure', 'must be an object with id or extensions');
      else this.elementObject(value, path);
      return;
    }
    if (!Array.isArray(value)) {
      this.add(path, 'structure', 'must be an array aligned with the primitive array');
      return;
    }
    const primitives = holder[key.slice(1)];
    if (Array.isArray(primitives) && primitives.length !== value.length)
      this.add(path, 'structure', `has ${value.length} items but ${key.slice(1)} has ${primitives.length}`);
    value.forEach((item, index) => {
      const itemPath = `${path}[${index}]`;
      if (item === null) {
        if (!Array.isArray(primitives) || primitives[index] === null || primitives[index] === undefined)
          this.add(itemPath, 'structure', 'must not be null when the primitive at that index is null too');
      } else if (!isObject(item)) this.add(itemPath, 'structure', 'must be an object with id or extensions');
      else this.elementObject(item, itemPath);
    });
  }

  private elementObject(value: JsonObject, path: string): void {
    if (Object.keys(value).length === 0) {
      this.add(path, 'structure', 'must have content: omit an empty object');
      return;
    }
    this.object(value, PRIMITIVE_ELEMENT, path, false);
  }

  private element(value: unknown, found: Found, path: string, companion: unknown): void {
    const { element, type } = found;
    if (element.many) {
      if (!Array.isArray(value)) {
        this.add(path, 'structure', value === null ? 'must not be null (omit it instead)' : 'must be an array');
        return;
      }
      if (value.length === 0) this.add(path, 'structure', 'must have content: omit an empty array');
      value.forEach((item, index) => {
        // FHIR JSON keeps a null in a primitive array only as a placeholder for an `_name` item.
        if (item === null && isPrimitive(type) && Array.isArray(companion) && isObject(companion[index])) return;
        this.single(item, type, `${path}[${index}]`, element);
      });
    } else if (Array.isArray(value)) {
      this.add(path, 'structure', 'must be a single value, not an array');
    } else {
      this.single(value, type, path, element);
    }
  }

  private single(value: unknown, type: string, path: string, element: ElementSpec | undefined): void {
    if (value === null) {
      this.add(path, 'structure', 'must not be null (omit it instead)');
      return;
    }
    const primitive = PRIMITIVES[type];
    if (primitive) {
      const jsonType = primitiveJsonType(type);
      if (typeof value !== jsonType) {
        this.add(path, 'structure', `must be a JSON ${jsonType} (${type}), got ${JSON.stringify(value)}`);
        return;
      }
      if (value === '') {
        this.add(path, 'structure', 'must have content: an empty string is not a value');
        return;
      }
      const problem = primitive(value);
      if (problem) this.add(path, 'value', problem);
      else if (element?.values && !element.values.includes(value as string))
        this.add(path, 'code-invalid', `"${String(value)}" is not one of ${element.values.join(', ')}`);
      return;
    }
    if (!isObject(value)) {
      this.add(path, 'structure', `must be a ${type} object`);
      return;
    }
    if (Object.keys(value).length === 0) {
      this.add(path, 'structure', 'must have content: omit an empty object');
      return;
    }
    if (type === 'Resource' || RESOURCE_TYPES.has(type)) {
      if (type !== 'Resource' && value.resourceType !== type)
        this.add(`${path}.resourceType`, 'structure', `must be ${type}`);
      else this.resource(value, path);
      return;
    }
    const backbone = BACKBONE_ELEMENTS[type];
    if (backbone) {
      this.object(value, backbone, path, false);
      return;
    }
    const spec = DATA_TYPES[type];
    if (!spec) throw new Error(`schema names unknown type ${type} at ${path}`);
    this.object(value, spec, path, false);
    this.issues.push(...dataTypeIssues(value, type, path, element?.values));
  }
}

/**
 * Every structural problem of a resource, with its path (e.g. `Observation.component[1].code`), severity
 * and FHIR issue type. R4 resource types the schema does not model are checked as FHIR JSON only.
 * @param resource - parsed JSON
 * @param path - path prefix, e.g. `Bundle.entry[3].resource` (default: the resource type)
 */
export function resourceIssues(resource: unknown, path?: string): FhirIssue[] {
  const validator = new Validator();
  validator.resource(resource, path);
  return validator.issues;
}

/**
 * Validates a resource and returns it typed; throws one ValidationError listing every issue.
 * @param resource - parsed JSON
 */
export function validateResource<T extends Resource = Resource>(resource: unknown): T {
  const issues = resourceIssues(resource).filter((issue) => issue.severity === 'error');
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid FHIR resource');
  return resource as T;
}
