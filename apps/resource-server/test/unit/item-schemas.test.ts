import { describe, expect, it } from '@jest/globals';
import { createItemBody, listItemsQuery, updateItemBody } from '../../src/items/item-schemas.js';

describe('createItemBody', () => {
  it('accepts a name, with or without a description, trimming the name', () => {
    expect(createItemBody.parse({ name: '  pen  ' })).toEqual({ name: 'pen' });
    expect(createItemBody.parse({ name: 'pen', description: 'blue' })).toEqual({
      name: 'pen',
      description: 'blue',
    });
  });

  it('accepts a name of 200 characters and a description of 2000', () => {
    expect(createItemBody.safeParse({ name: 'n'.repeat(200), description: 'd'.repeat(2000) }).success).toBe(
      true,
    );
  });

  it.each([
    ['no name', {}],
    ['a blank name', { name: '   ' }],
    ['a name over 200 characters', { name: 'n'.repeat(201) }],
    ['a numeric name', { name: 42 }],
    ['a description over 2000 characters', { name: 'pen', description: 'd'.repeat(2001) }],
    ['a null description', { name: 'pen', description: null }],
    ['an owner field (no mass assignment)', { name: 'pen', ownerId: 'someone-else' }],
    ['an id field', { name: 'pen', id: 'chosen-id' }],
  ])('refuses %s', (_name, body) => {
    expect(createItemBody.safeParse(body).success).toBe(false);
  });

  it.each([null, 'pen', ['pen']])('refuses a body that is not an object: %p', (body) => {
    expect(createItemBody.safeParse(body).success).toBe(false);
  });
});

describe('updateItemBody', () => {
  it.each([[{ name: 'new' }], [{ description: '' }], [{ name: 'new', description: 'text' }]])(
    'accepts %p',
    (body) => {
      expect(updateItemBody.parse(body)).toEqual(body);
    },
  );

  it('refuses an empty update, saying what to give', () => {
    const result = updateItemBody.safeParse({});
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual(['give name, description or both']);
  });

  it.each([
    ['an unknown field', { name: 'new', ownerId: 'x' }],
    ['a blank name', { name: ' ' }],
    ['a name over 200 characters', { name: 'n'.repeat(201) }],
  ])('refuses %s', (_name, body) => {
    expect(updateItemBody.safeParse(body).success).toBe(false);
  });
});

describe('listItemsQuery', () => {
  it('defaults the limit to 20', () => {
    expect(listItemsQuery.parse({})).toEqual({ limit: 20 });
  });

  it('reads query strings', () => {
    expect(listItemsQuery.parse({ limit: '5', after: 'item-9', owner: 'me', q: 'Pen' })).toEqual({
      limit: 5,
      after: 'item-9',
      owner: 'me',
      q: 'Pen',
    });
    expect(listItemsQuery.parse({ limit: '1' }).limit).toBe(1);
    expect(listItemsQuery.parse({ limit: '100' }).limit).toBe(100);
  });

  it.each([
    ['limit 0', { limit: '0' }],
    ['limit 101', { limit: '101' }],
    ['a fractional limit', { limit: '1.5' }],
    ['a limit that is not a number', { limit: 'ten' }],
    ['an empty limit', { limit: '' }],
    ['a repeated limit', { limit: ['5', '6'] }],
    ['a repeated q', { q: ['a', 'b'] }],
    ['an empty q', { q: '' }],
    ['a q over 100 characters', { q: 'q'.repeat(101) }],
    ['an empty after', { after: '' }],
    ['an owner other than me', { owner: 'user-2' }],
    ['an unknown parameter', { sort: 'name' }],
  ])('refuses %s', (_name, query) => {
    expect(listItemsQuery.safeParse(query).success).toBe(false);
  });
});
