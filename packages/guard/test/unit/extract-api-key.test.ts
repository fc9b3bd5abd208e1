import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError } from '../../src/errors.js';
import { extractApiKey } from '../../src/extract-api-key.js';

describe('extractApiKey', () => {
  it('is undefined without the header and the value with one', () => {
    expect(extractApiKey([])).toBeUndefined();
    expect(extractApiKey(['pcl_abc'])).toBe('pcl_abc');
    expect(extractApiKey([' pcl_abc '])).toBe('pcl_abc');
  });

  it('refuses two headers and an empty one with invalid_request', () => {
    expect(() => extractApiKey(['pcl_a', 'pcl_b'])).toThrow(InvalidRequestError);
    expect(() => extractApiKey(['pcl_a', 'pcl_a'])).toThrow('more than one X-API-Key header');
    expect(() => extractApiKey(['  '])).toThrow('the X-API-Key header is empty');
  });
});
