import { expect, it } from '@jest/globals';
import type { RawAnswer } from './security-fixture.js';

/**
 * The header requirements both servers meet on every kind of answer (200s, 4xx, problems), as test cases
 * for a `describe` block. `samples` gives labelled answers of the server under test.
 */
export function itSendsBaselineSecurityHeaders(samples: () => Promise<[string, RawAnswer][]>): void {
  it('OWASP Secure Headers: nosniff, frame denial, no referrer and a deny-all CSP on every kind of answer', async () => {
    for (const [label, answer] of await samples()) {
      expect({ label, headers: answer.headers }).toMatchObject({
        label,
        headers: {
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
          'referrer-policy': 'no-referrer',
          'content-security-policy': expect.stringContaining("default-src 'none'"),
        },
      });
    }
  });

  it('OWASP ASVS 14.3.3: no X-Powered-By or Server banner on any answer', async () => {
    for (const [label, answer] of await samples()) {
      expect({ label, poweredBy: answer.headers['x-powered-by'], server: answer.headers.server }).toEqual({
        label,
        poweredBy: undefined,
        server: undefined,
      });
    }
  });

  it('OWASP ASVS 7.1 (request correlation): every answer carries an X-Request-Id', async () => {
    for (const [label, answer] of await samples()) {
      expect({ label, id: answer.headers['x-request-id'] }).toEqual({ label, id: expect.any(String) });
    }
  });
}
