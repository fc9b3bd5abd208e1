import { createAccessTokenVerifier, GuardUnavailableError, type RevocationCheck } from '@portcullis/guard';

// An in-process mirror, kept current by something else (a subscription, a poll).
const mirror = {
  tokenIds: new Set<string>(),
  grantIds: new Set<string>(),
  updatedAt: Date.now(),
};

const revocation: RevocationCheck = {
  isRevoked(token) {
    if (Date.now() - mirror.updatedAt > 30_000) throw new GuardUnavailableError('revocation', 5);
    return (
      mirror.tokenIds.has(token.tokenId) ||
      (token.grantId !== undefined && mirror.grantIds.has(token.grantId))
    );
  },
};

export const verifier = createAccessTokenVerifier({
  issuer: 'https://auth.example.com',
  audience: 'https://items.example.com',
  revocation,
});
