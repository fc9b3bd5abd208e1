/** Client ids longer than this are not ours; such a request is limited per address only. */
const MAX_CLIENT_ID_LENGTH = 200;

/**
 * The client id of an HTTP Basic `Authorization` header (RFC 6749 §2.3.1: form-urlencoded, then base64),
 * decoded as oidc-provider decodes it; undefined when there is no usable one. Unauthenticated: only for
 * choosing a rate-limit counter, never for deciding who the client is.
 *
 * @example
 * basicClientId('Basic d2ViLWFwcDpzM2NyZXQ='); // 'web-app'
 */
export function basicClientId(authorization: string | undefined): string | undefined {
  const match = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 1) return undefined;
  try {
    const clientId = decodeURIComponent(decoded.slice(0, separator).replace(/\+/g, '%20'));
    return clientId.length > 0 && clientId.length <= MAX_CLIENT_ID_LENGTH ? clientId : undefined;
  } catch {
    return undefined; // malformed percent-encoding: oidc-provider refuses it as invalid_request
  }
}
