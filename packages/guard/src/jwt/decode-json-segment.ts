import { InvalidTokenError } from '../errors.js';

/** Fatal, as jose's: a header or claim set that is not UTF-8 is not JSON (RFC 8259 §8.1). */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The bytes of one base64url segment of a compact JWS whose alphabet the caller has already checked.
 * Buffer's decoder skips what it cannot use, so the one malformed length left (a lone trailing character,
 * length % 4 === 1) is refused here, as `atob` refuses it under jose.
 */
export function decodeSegment(segment: string): Buffer {
  if (segment.length % 4 === 1) throw new InvalidTokenError('malformed');
  return Buffer.from(segment, 'base64url');
}

/** A base64url segment holding a JSON object (a JOSE header or a JWT claim set, RFC 7519 §7.2). */
export function decodeJsonSegment(segment: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(decodeSegment(segment)));
  } catch (error) {
    throw new InvalidTokenError('malformed', undefined, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidTokenError('malformed');
  }
  return parsed as Record<string, unknown>;
}
