import { createServer, type IncomingMessage } from 'node:http';
import {
  authorize,
  createAccessTokenVerifier,
  extractBearerToken,
  guardErrorResponse,
  headerValues,
  type Principal,
  type Requirement,
  validateRequirement,
} from '@portcullis/guard';

const verifier = createAccessTokenVerifier({
  issuer: 'https://auth.example.com',
  audience: 'https://items.example.com',
});
const readItems: Requirement = { scopes: ['items:read'] };
validateRequirement(readItems); // authorize() does not validate: do it once, at declaration

/** Resolves to the caller, or rejects with a GuardError (or anything else, which maps to 401). */
async function authenticate(req: IncomingMessage, requirement: Requirement): Promise<Principal> {
  const token = extractBearerToken({
    authorization: headerValues(req.rawHeaders, 'authorization'), // every value, name in lower case
    query: new URL(req.url ?? '/', 'http://localhost').search.slice(1),
  });
  const principal = await verifier.verify(token);
  authorize(principal, requirement);
  return principal;
}

createServer(async (req, res) => {
  let principal: Principal;
  try {
    principal = await authenticate(req, readItems);
  } catch (error) {
    const refusal = guardErrorResponse(error, 'items');
    res.writeHead(refusal.status, { ...refusal.headers, 'Content-Type': 'application/problem+json' });
    res.end(JSON.stringify(refusal.body));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ owner: principal.subject, items: [] }));
}).listen(3000);
