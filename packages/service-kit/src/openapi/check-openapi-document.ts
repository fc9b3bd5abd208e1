/**
 * The structural rules of OpenAPI 3.1 that a generated document could break, checked without a validator
 * dependency: required fields, path templates against path parameters, unique operation ids, resolvable
 * `$ref`s, and security requirements naming declared schemes and scopes. Returns one line per problem; an
 * empty list means the document is sound.
 *
 * @example
 * expect(checkOpenApiDocument(document)).toEqual([]);
 */
export function checkOpenApiDocument(document: unknown): string[] {
  const problems: string[] = [];
  const problem = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (!isObject(document)) return ['document: not an object'];

  if (document.openapi !== '3.1.0') problem('openapi', 'must be "3.1.0"');
  const info = document.info;
  if (!isObject(info) || !nonEmptyString(info.title) || !nonEmptyString(info.version)) {
    problem('info', 'needs title and version');
  }
  if (!isObject(document.paths)) problem('paths', 'must be an object');
  const schemes = isObject(document.components) ? document.components.securitySchemes : undefined;
  checkSecuritySchemes(isObject(schemes) ? schemes : {}, problem);

  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    if (!path.startsWith('/')) problem(path, 'a path must start with /');
    if (!isObject(item)) {
      problem(path, 'a path item must be an object');
      continue;
    }
    for (const [method, operation] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!HTTP_METHODS.has(method)) {
        if (!['summary', 'description', 'servers', 'parameters', '$ref'].includes(method)) {
          problem(path, `unexpected path item field ${method}`);
        }
        continue;
      }
      if (!isObject(operation)) {
        problem(where, 'not an object');
        continue;
      }
      if (nonEmptyString(operation.operationId)) {
        if (operationIds.has(operation.operationId))
          problem(where, `operationId ${operation.operationId} repeats`);
        operationIds.add(operation.operationId);
      }
      checkParameters(where, path, [item.parameters, operation.parameters], problem);
      checkResponses(where, operation.responses, problem);
      if (operation.requestBody !== undefined) {
        const body = operation.requestBody;
        if (!isObject(body) || (!isObject(body.content) && body.$ref === undefined)) {
          problem(where, 'requestBody needs content');
        }
      }
      checkSecurity(where, operation.security, isObject(schemes) ? schemes : {}, problem);
    }
  }
  checkSecurity('document', document.security, isObject(schemes) ? schemes : {}, problem);
  for (const ref of collectRefs(document)) {
    if (ref.startsWith('#') && resolvePointer(document, ref) === undefined)
      problem('$ref', `${ref} resolves to nothing`);
  }
  return problems;
}

type Report = (where: string, what: string) => void;

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const PARAMETER_LOCATIONS = new Set(['query', 'header', 'path', 'cookie']);
const SCHEME_TYPES = new Set(['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect']);

function checkParameters(where: string, path: string, lists: unknown[], problem: Report): void {
  const templated = new Set([...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string));
  const seen = new Set<string>();
  const inPath = new Set<string>();
  for (const list of lists) {
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      problem(where, 'parameters must be an array');
      continue;
    }
    for (const parameter of list) {
      if (
        !isObject(parameter) ||
        !nonEmptyString(parameter.name) ||
        !PARAMETER_LOCATIONS.has(String(parameter.in))
      ) {
        problem(where, 'a parameter needs a name and in: query, header, path or cookie');
        continue;
      }
      const key = `${parameter.in}:${parameter.name}`;
      if (seen.has(key)) problem(where, `parameter ${key} repeats`);
      seen.add(key);
      if (parameter.schema === undefined && parameter.content === undefined) {
        problem(where, `parameter ${key} needs a schema or content`);
      }
      if (parameter.in === 'path') {
        inPath.add(parameter.name);
        if (parameter.required !== true) problem(where, `path parameter ${parameter.name} must be required`);
        if (!templated.has(parameter.name))
          problem(where, `path parameter ${parameter.name} is not in the path`);
      }
    }
  }
  for (const name of templated) {
    if (!inPath.has(name)) problem(where, `{${name}} has no path parameter`);
  }
}

function checkResponses(where: string, responses: unknown, problem: Report): void {
  if (!isObject(responses) || Object.keys(responses).length === 0) {
    problem(where, 'needs at least one response');
    return;
  }
  for (const [status, response] of Object.entries(responses)) {
    if (!/^([1-5](\d\d|XX)|default)$/.test(status)) problem(where, `response key ${status} is not a status`);
    if (!isObject(response) || (response.$ref === undefined && typeof response.description !== 'string')) {
      problem(where, `response ${status} needs a description`);
    }
  }
}

function checkSecuritySchemes(schemes: Record<string, unknown>, problem: Report): void {
  for (const [name, scheme] of Object.entries(schemes)) {
    const where = `securitySchemes.${name}`;
    if (!isObject(scheme) || !SCHEME_TYPES.has(String(scheme.type))) {
      problem(where, 'needs a valid type');
      continue;
    }
    if (scheme.type === 'http' && !nonEmptyString(scheme.scheme)) problem(where, 'http needs scheme');
    if (scheme.type === 'oauth2') {
      const flows = isObject(scheme.flows) ? Object.entries(scheme.flows) : [];
      if (flows.length === 0) problem(where, 'oauth2 needs flows');
      for (const [flow, settings] of flows) {
        if (!isObject(settings) || !isObject(settings.scopes)) problem(where, `flow ${flow} needs scopes`);
        else if (
          ['clientCredentials', 'password', 'authorizationCode'].includes(flow) &&
          !nonEmptyString(settings.tokenUrl)
        ) {
          problem(where, `flow ${flow} needs tokenUrl`);
        }
      }
    }
  }
}

function checkSecurity(
  where: string,
  security: unknown,
  schemes: Record<string, unknown>,
  problem: Report,
): void {
  if (security === undefined) return;
  if (!Array.isArray(security)) {
    problem(where, 'security must be an array');
    return;
  }
  for (const requirement of security) {
    for (const [name, scopes] of Object.entries(isObject(requirement) ? requirement : {})) {
      const scheme = schemes[name];
      if (!isObject(scheme)) {
        problem(where, `security names undeclared scheme ${name}`);
        continue;
      }
      if (!Array.isArray(scopes)) {
        problem(where, `security ${name} must list scopes (or nothing)`);
        continue;
      }
      if (scheme.type !== 'oauth2') continue;
      const declared = new Set(
        Object.values(isObject(scheme.flows) ? scheme.flows : {}).flatMap((flow) =>
          isObject(flow) && isObject(flow.scopes) ? Object.keys(flow.scopes) : [],
        ),
      );
      for (const scope of scopes) {
        if (!declared.has(String(scope))) problem(where, `scope ${String(scope)} is not declared by ${name}`);
      }
    }
  }
}

function collectRefs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const inner of value) collectRefs(inner, found);
  else if (isObject(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.push(inner);
      else collectRefs(inner, found);
    }
  }
  return found;
}

/** RFC 6901 JSON pointer in a URI fragment. */
function resolvePointer(document: unknown, ref: string): unknown {
  let current: unknown = document;
  for (const token of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
