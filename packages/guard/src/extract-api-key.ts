import { InvalidRequestError } from './errors.js';

/**
 * The one X-API-Key value of a request, from every value received (`headerValues(req.rawHeaders,
 * 'x-api-key')`: Node joins duplicates with ", ", which would hide a second key). Undefined when there is
 * none; InvalidRequestError (400) for two headers, or an empty one.
 *
 * @example
 * const key = extractApiKey(headerValues(req.rawHeaders, 'x-api-key'));
 */
export function extractApiKey(values: readonly string[]): string | undefined {
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new InvalidRequestError('more than one X-API-Key header');
  const key = (values[0] as string).trim();
  if (key === '') throw new InvalidRequestError('the X-API-Key header is empty');
  return key;
}
