import { describe, expect, it } from 'vitest';
import { allowedHostNames, hostName, isLoopback } from './host-allowlist.js';

describe('Host allow-list', () => {
  it('reads the host name of a Host header, and nothing from a malformed one', () => {
    expect(hostName('Example.ORG:8080')).toBe('example.org');
    expect(hostName('[::1]:8080')).toBe('::1');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
    expect(hostName('evil.example/../x')).toBeUndefined();
    expect(hostName('a b')).toBeUndefined();
    expect(hostName('')).toBeUndefined();
    expect(hostName(undefined)).toBeUndefined();
  });

  it('allows loopback, the bound address and configured names; never a wildcard', () => {
    expect([...allowedHostNames('0.0.0.0', ['ember.example.org'])].sort()).toEqual([
      '127.0.0.1',
      '::1',
      'ember.example.org',
      'localhost',
    ]);
    expect(allowedHostNames('10.0.0.5').has('10.0.0.5')).toBe(true);
    expect(allowedHostNames('::').has('::')).toBe(false);
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.org'].some(isLoopback)).toBe(false);
  });
});
