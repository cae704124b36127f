import { join, posix, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEmberError } from '../errors.js';
import { BAD_KEYS } from './object-store.contract.js';
import {
  assertKeyPrefix,
  assertObjectKey,
  compareKeys,
  MAX_KEY_BYTES,
  objectKeyProblem,
} from './object-key.js';

// Path punctuation often, so that the generator hits the interesting cases; any character sometimes.
const pathCharacter = fc.oneof(
  fc.constantFrom('/', '.', '\\', ':', 'C', '\u0000', '\u007f', '\ud800', '\ud83d\udd25'),
  fc.string({ minLength: 1, maxLength: 1 }),
);

describe('object keys', () => {
  it('accepts ordinary relative paths', () => {
    for (const key of [
      'a',
      'runs/2024-06-01/run-0001/thermal.bin',
      'x y/ü/🔥.json',
      '.hidden/a',
      'a..b',
      'k'.repeat(MAX_KEY_BYTES),
    ]) {
      expect(objectKeyProblem(key), key).toBeUndefined();
    }
  });

  it('names the problem of each unsafe key', () => {
    expect(objectKeyProblem('')).toBe('is empty');
    expect(objectKeyProblem('/a')).toBe('is an absolute path');
    expect(objectKeyProblem('a/../b')).toBe("has a '..' path segment");
    expect(objectKeyProblem('a\\b')).toBe('contains a backslash');
    expect(objectKeyProblem('a\tb')).toBe('contains a control character');
    expect(objectKeyProblem('a//b')).toBe('has an empty path segment');
    expect(objectKeyProblem('\ud800')).toBe('is not valid Unicode');
    expect(objectKeyProblem('é'.repeat(513))).toBe(`is longer than ${MAX_KEY_BYTES} bytes`);
    for (const key of BAD_KEYS) expect(objectKeyProblem(key), JSON.stringify(key)).toBeDefined();
  });

  it('throws EMBER_ERR_STORE_BAD_KEY with the key in the message', () => {
    expect(() => assertObjectKey('../x')).toThrow(/"\.\.\/x"/);
    try {
      assertObjectKey('../x');
    } catch (error) {
      expect(isEmberError(error, 'EMBER_ERR_STORE_BAD_KEY')).toBe(true);
    }
  });

  it('accepts prefixes with a trailing slash or a partial segment', () => {
    for (const prefix of ['', 'runs/', 'runs/2024-', 'a'])
      expect(() => assertKeyPrefix(prefix)).not.toThrow();
    for (const prefix of ['/', '../', 'a//', '/abs']) expect(() => assertKeyPrefix(prefix)).toThrow();
  });

  it('accepts only keys that are normalised paths inside any root', () => {
    const root = join(sep, 'srv', 'store');
    fc.assert(
      fc.property(fc.string({ unit: pathCharacter, maxLength: 40 }), (key) => {
        if (objectKeyProblem(key) !== undefined) return;
        expect(posix.normalize(key)).toBe(key);
        expect(join(root, ...key.split('/')).startsWith(root + sep)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts by UTF-8 bytes, not UTF-16 code units', () => {
    const keys = ['\uff61', '\u{1f525}', 'a/b', 'a.b', 'a-b'];
    expect([...keys].sort(compareKeys)).toEqual(['a-b', 'a.b', 'a/b', '\uff61', '\u{1f525}']);
    expect([...keys].sort()).not.toEqual([...keys].sort(compareKeys));
  });
});
