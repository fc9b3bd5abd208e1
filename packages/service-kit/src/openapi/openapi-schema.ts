import { type ZodType, z } from 'zod';

/** A JSON Schema (2020-12, the OpenAPI 3.1 dialect) as it appears in the document. */
export type SchemaObject = Record<string, unknown>;

/** `components.schemas` being filled: name → schema. */
export type SchemaComponents = Map<string, SchemaObject>;

const COMPONENT_PREFIX = '#/components/schemas/';

/**
 * Converts a zod schema to an OpenAPI 3.1 schema object. Requests are described in zod's "input" mode (what a
 * client sends: defaults make a field optional, coercions accept the wire form), answers in "output" mode.
 * Parts JSON Schema cannot express (refine, transform) become "any" instead of throwing: the document loses
 * that detail, the route still enforces it.
 *
 * zod puts named (`.meta({ id })`) and recursive schemas under `$defs` and points at them with `#/$defs/...`
 * or `#`, which inside an OpenAPI document would resolve against the document root; they are moved to
 * `components.schemas` and the references rewritten. `name` hoists the root itself there.
 */
export function toOpenApiSchema(
  schema: ZodType,
  io: 'input' | 'output',
  components: SchemaComponents,
  options: { context: string; name?: string },
): SchemaObject {
  const converted = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as SchemaObject;
  const { $schema: _dialect, $defs, ...root } = tidy(converted) as SchemaObject;
  const definitions = ($defs ?? {}) as Record<string, SchemaObject>;

  const rootName = options.name ?? (containsRef(root, '#') ? options.context : undefined);
  // zod describes a schema with defaults differently as input and as output: when both forms of a named
  // schema are needed, the second one met is named `<name>Input` or `<name>Output`.
  for (const suffix of ['', io === 'input' ? 'Input' : 'Output']) {
    const named = nameDefinitions(definitions, rootName, options.context, suffix);
    const rewrite = (value: unknown) => rewriteRefs(value, named);
    const additions = new Map(
      Object.entries(definitions).map(([key, definition]) => [
        named.definitions.get(key) as string,
        rewrite(definition) as SchemaObject,
      ]),
    );
    const result = rewrite(root) as SchemaObject;
    if (named.root !== undefined) additions.set(named.root, result);
    if (conflicts(components, additions)) continue;
    for (const [name, definition] of additions) components.set(name, definition);
    return named.root === undefined ? result : { $ref: COMPONENT_PREFIX + named.root };
  }
  throw new Error(`two different schemas would be documented under the same name (${options.context})`);
}

interface Names {
  root: string | undefined;
  /** zod's `$defs` key → component name. */
  definitions: Map<string, string>;
}

function nameDefinitions(
  definitions: Record<string, SchemaObject>,
  rootName: string | undefined,
  context: string,
  suffix: string,
): Names {
  return {
    root: rootName === undefined ? undefined : componentName(rootName + suffix),
    definitions: new Map(
      Object.keys(definitions).map((key) => [
        key,
        // zod's own names for unnamed recursive parts (`__schema0`) would collide across conversions.
        componentName(
          (/^__schema\d+$/.test(key) ? `${context}${key.slice('__schema'.length)}` : key) + suffix,
        ),
      ]),
    ),
  };
}

function rewriteRefs(value: unknown, names: Names): unknown {
  if (Array.isArray(value)) return value.map((inner) => rewriteRefs(inner, names));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      if (key !== '$ref' || typeof inner !== 'string') return [key, rewriteRefs(inner, names)];
      const target =
        inner === '#'
          ? names.root
          : inner.startsWith('#/$defs/')
            ? names.definitions.get(inner.slice('#/$defs/'.length))
            : undefined;
      return [key, target === undefined ? inner : COMPONENT_PREFIX + target];
    }),
  );
}

/**
 * Two simplifications that change no meaning. zod writes its own regex next to a standard `format`
 * (date-time, email, uuid, ...): the format already names the rule, and Swagger UI would invent examples
 * from the regex (a year 6808 timestamp). `additionalProperties: {}` (zod's loose object) is JSON Schema's
 * default, and Swagger UI would show made-up `additionalProp1` members.
 */
function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (value === null || typeof value !== 'object') return value;
  const schema = value as Record<string, unknown>;
  const standardFormat = typeof schema.format === 'string' && STANDARD_FORMATS.has(schema.format);
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, inner]) => {
        if (key === 'pattern' && typeof inner === 'string') return !standardFormat;
        if (key === 'additionalProperties') return !isEmptyObject(inner);
        return true;
      })
      .map(([key, inner]) => [key, tidy(inner)]),
  );
}

/** JSON Schema 2020-12 §7.3 formats. */
const STANDARD_FORMATS = new Set([
  'date-time',
  'date',
  'time',
  'duration',
  'email',
  'idn-email',
  'hostname',
  'idn-hostname',
  'ipv4',
  'ipv6',
  'uri',
  'uri-reference',
  'iri',
  'iri-reference',
  'uuid',
]);

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  );
}

function conflicts(components: SchemaComponents, additions: SchemaComponents): boolean {
  for (const [name, schema] of additions) {
    const existing = components.get(name);
    if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(schema)) return true;
  }
  return false;
}

/** OpenAPI 3.1 §4.8.7.1: component names match ^[a-zA-Z0-9.\-_]+$. */
function componentName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

function containsRef(value: unknown, target: string): boolean {
  if (Array.isArray(value)) return value.some((inner) => containsRef(inner, target));
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, inner]) =>
    key === '$ref' ? inner === target : containsRef(inner, target),
  );
}
