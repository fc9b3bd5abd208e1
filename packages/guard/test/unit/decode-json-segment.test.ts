import { describe, expect, it } from '@jest/globals';
import { decodeJsonSegment, decodeSegment } from '../../src/jwt/decode-json-segment.js';

const segment = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const reasonOf = (encoded: string) => {
  try {
    decodeJsonSegment(encoded);
  } catch (error) {
    return (error as { reason?: string }).reason;
  }
  return 'accepted';
};

describe('decodeSegment', () => {
  it('decodes unpadded base64url of every length a real encoder produces', () => {
    for (const bytes of [1, 2, 3, 4, 5]) {
      const data = Buffer.from('abcdef'.slice(0, bytes));
      expect(decodeSegment(data.toString('base64url'))).toEqual(data);
    }
  });

  it('refuses a length no encoder produces (a lone trailing character), as atob does', () => {
    expect(() => decodeSegment('abcde')).toThrow(expect.objectContaining({ reason: 'malformed' }));
  });
});

describe('decodeJsonSegment', () => {
  it('parses a JSON object', () => {
    expect(decodeJsonSegment(segment('{"alg":"ES256","n":[1,2]}'))).toEqual({ alg: 'ES256', n: [1, 2] });
  });

  it('skips a UTF-8 byte order mark, as TextDecoder (and so jose) does', () => {
    expect(decodeJsonSegment(segment('\uFEFF{"a":1}'))).toEqual({ a: 1 });
  });

  it.each([
    ['not JSON', segment('{alg')],
    ['a JSON array', segment('["ES256"]')],
    ['JSON null', segment('null')],
    ['a JSON string', segment('"x"')],
    ['a JSON number', segment('1')],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')],
    ['a malformed base64url length', 'eyJhIjoxfQA'.slice(0, 9)],
  ])('refuses %s as malformed', (_name, encoded) => {
    expect(reasonOf(encoded)).toBe('malformed');
  });
});
