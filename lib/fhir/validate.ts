/**
 * Structural validation of FHIR R4 resources against ./schema: element names, cardinality, primitive
 * formats, required codes, choice types and references. Every issue is collected with its path, then
 * reported at once in one ValidationError.
 */
import type { Resource } from '@medplum/fhirtypes';

import { ValidationError, type ValidationIssue } from '../errors';
import { PRIMITIVES } from './primitives';
import { DATA_TYPES, OPAQUE_TYPES, RESOURCE_ELEMENTS, RESOURCES, type ElementSpec, type Spec } from './schema';

const ELEMENT_ELEMENTS: Spec = {
  id: { type: 'string', min: 0, many: false },
  extension: { type: 'Extension', min: 0, many: true },
};
const BACKBONE_ELEMENTS: Spec = {
  ...ELEMENT_ELEMENTS,
  modifierExtension: { type: 'Extension', min: 0, many: true },
};

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const capitalize = (type: string) => type.charAt(0).toUpperCase() + type.slice(1);

/** Whether `resourceType` is validated element by element (others are kept as they are). */
export function isModelledResourceType(resourceType: string): boolean {
  return Object.hasOwn(RESOURCES, resourceType);
}

/** Finds the element a JSON key names: a plain element or one variant of a choice `[x]`. */
function elementFor(spec: Spec, key: string): { name: string; element: ElementSpec; type: string } | undefined {
  // Own keys only: a resource key such as "valueOf" or "constructor" must not find Object.prototype.
  const direct = Object.hasOwn(spec, key) ? spec[key] : undefined;
  if (direct && !key.endsWith('[x]')) {
    return { name: key, element: direct, type: typeof direct.type === 'string' ? direct.type : '' };
  }
  for (const [name, element] of Object.entries(spec)) {
    if (!name.endsWith('[x]')) continue;
    const base = name.slice(0, -3);
    if (!key.startsWith(base)) continue;
    const types = typeof element.type === 'string' ? [element.type] : element.type;
    const type = types.find((candidate) => base + capitalize(candidate) === key);
    if (type) return { name, element, type };
  }
  return undefined;
}

class Validator {
  readonly issues: ValidationIssue[] = [];

  private add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  resource(value: unknown, path: string | undefined): void {
    if (!isObject(value)) {
      this.add(path ?? 'Resource', 'must be a JSON object');
      return;
    }
    const { resourceType } = value;
    if (typeof resourceType !== 'string' || !/^[A-Z][A-Za-z]+$/.test(resourceType)) {
      this.add(`${path ?? 'Resource'}.resourceType`, 'is required and must name a resource type');
      return;
    }
    const at = path ?? resourceType;
    const spec = RESOURCES[resourceType];
    if (spec) {
      this.object(value, { ...RESOURCE_ELEMENTS, ...spec }, at, true);
    } else if (value.id !== undefined) {
      this.single(value.id, 'id', `${at}.id`, undefined);
    }
  }

  private object(value: JsonObject, spec: Spec, path: string, isResource: boolean): void {
    const seenChoices = new Map<string, string>();
    for (const [key, child] of Object.entries(value)) {
      if (isResource && key === 'resourceType') continue;
      const childPath = `${path}.${key}`;
      if (key.startsWith('_')) {
        // Extensions/ids of primitive elements sit beside them under `_name`.
        const primitive = elementFor(spec, key.slice(1));
        if (!primitive || !PRIMITIVES[primitive.type])
          this.add(childPath, 'is not the companion of a primitive element');
        else if (!isObject(child) && !Array.isArray(child)) this.add(childPath, 'must be an object or an array');
        continue;
      }
      const found = elementFor(spec, key);
      if (!found) {
        this.add(childPath, 'is not an element of this type');
        continue;
      }
      if (found.name.endsWith('[x]')) {
        const earlier = seenChoices.get(found.name);
        if (earlier) this.add(childPath, `only one of ${found.name} may be present (also ${earlier})`);
        seenChoices.set(found.name, key);
      }
      this.element(child, found.element, found.type, childPath);
    }
    for (const [name, element] of Object.entries(spec)) {
      if (element.min === 0) continue;
      const present = name.endsWith('[x]') ? seenChoices.has(name) : value[name] !== undefined;
      if (!present) this.add(`${path}.${name}`, 'is required');
    }
  }

  private element(value: unknown, element: ElementSpec, type: string, path: string): void {
    if (element.many) {
      if (!Array.isArray(value)) {
        this.add(path, 'must be an array');
        return;
      }
      if (value.length === 0) this.add(path, 'must not be an empty array (omit it instead)');
      value.forEach((item, index) => this.single(item, type, `${path}[${index}]`, element));
    } else if (Array.isArray(value)) {
      this.add(path, 'must be a single value, not an array');
    } else {
      this.single(value, type, path, element);
    }
  }

  private single(value: unknown, type: string, path: string, element: ElementSpec | undefined): void {
    if (value === null) {
      this.add(path, 'must not be null (omit it instead)');
      return;
    }
    const primitive = PRIMITIVES[type];
    if (primitive) {
      const problem = primitive(value);
      if (problem) this.add(path, problem);
      else if (element?.values && !element.values.includes(value as string)) {
        this.add(path, `"${String(value)}" is not one of ${element.values.join(', ')}`);
      }
      return;
    }
    if (!isObject(value)) {
      this.add(path, `must be a ${type} object`);
      return;
    }
    if (Object.keys(value).length === 0) {
      this.add(path, 'must not be an empty object');
      return;
    }
    if (type === 'Resource') this.resource(value, path);
    else if (type === 'Extension') this.extension(value, path);
    else if (type === 'BackboneElement') this.object(value, { ...BACKBONE_ELEMENTS, ...element?.fields }, path, false);
    else if (OPAQUE_TYPES.has(type)) return;
    else {
      const spec = DATA_TYPES[type];
      if (!spec) throw new Error(`schema names unknown type ${type} at ${path}`);
      this.object(value, { ...ELEMENT_ELEMENTS, ...spec }, path, false);
      this.invariants(value, type, path);
    }
  }

  private extension(value: JsonObject, path: string): void {
    if (typeof value.url !== 'string' || !/^\S+$/.test(value.url))
      this.add(`${path}.url`, 'is required and must be a URI');
    const values = Object.keys(value).filter((key) => key.startsWith('value'));
    if (values.length > 1) this.add(path, `only one value[x] may be present (found ${values.join(', ')})`);
    if (value.extension !== undefined) {
      this.element(value.extension, { type: 'Extension', min: 0, many: true }, 'Extension', `${path}.extension`);
    }
    if (values.length === 1 && value.extension !== undefined)
      this.add(path, 'must have either a value or extensions, not both');
  }

  /** Rules of the specification beyond cardinality that records get wrong in practice. */
  private invariants(value: JsonObject, type: string, path: string): void {
    if (
      (type === 'Quantity' || type === 'SimpleQuantity' || type === 'Age' || type === 'Duration') &&
      value.code !== undefined &&
      value.system === undefined
    ) {
      this.add(`${path}.system`, 'is required when a code is given (qty-3)');
    }
    if (type === 'Reference' && typeof value.reference === 'string' && /\s/.test(value.reference)) {
      this.add(`${path}.reference`, 'must not contain whitespace');
    }
    if (type === 'Period' && typeof value.start === 'string' && typeof value.end === 'string') {
      const start = Date.parse(value.start);
      const end = Date.parse(value.end);
      if (!Number.isNaN(start) && !Number.isNaN(end) && start > end)
        this.add(path, 'start must not be after end (per-1)');
    }
  }
}

/**
 * Every structural problem of a resource, with its path (e.g. `Observation.component[1].code`).
 * Resource types not modelled are checked only for `resourceType` and `id`.
 * @param resource - parsed JSON
 * @param path - path prefix, e.g. `Bundle.entry[3].resource` (default: the resource type)
 */
export function resourceIssues(resource: unknown, path?: string): ValidationIssue[] {
  const validator = new Validator();
  validator.resource(resource, path);
  return validator.issues;
}

/**
 * Validates a resource and returns it typed; throws one ValidationError listing every issue.
 * @param resource - parsed JSON
 */
export function validateResource<T extends Resource = Resource>(resource: unknown): T {
  const issues = resourceIssues(resource);
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid FHIR resource');
  return resource as T;
}
