/**
 * @portcullis/guard — offline access-token verification for any microservice.
 *
 * @example
 * const verifier = createAccessTokenVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * const principal = await verifier.verify(token);
 * authorize(principal, { scopes: ['items:read'] });
 */

export type { ApiKeyVerifier } from './api-key-verifier.js';
export type { InvalidTokenReason } from './errors.js';
export {
  GuardError,
  GuardUnavailableError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
} from './errors.js';
export { extractApiKey } from './extract-api-key.js';
export type { BearerTokenSource } from './extract-bearer-token.js';
export { extractBearerToken, headerValues } from './extract-bearer-token.js';
export type { GuardErrorResponse } from './guard-error-response.js';
export { guardErrorResponse } from './guard-error-response.js';
export type { JwksKeyStore, JwksKeyStoreOptions, JwksKeyStoreStatus } from './jwks/jwks-key-store.js';
export type { VerifiedCompactJws, VerifyCompactJwsOptions } from './jwt/verify-compact-jws.js';
export { verifyCompactJws } from './jwt/verify-compact-jws.js';
export type { Requirement } from './policy.js';
export { authorize, findUnmetRequirement, validateRequirement } from './policy.js';
export type { Principal } from './principal.js';
export type { RevocationCheck, RevocationSubject } from './revocation-check.js';
export type { AccessTokenVerifierOptions, AsymmetricAlgorithm } from './verifier-options.js';
export { ASYMMETRIC_ALGORITHMS } from './verifier-options.js';
export type { AccessTokenVerifier } from './verify-access-token.js';
export { createAccessTokenVerifier } from './verify-access-token.js';
