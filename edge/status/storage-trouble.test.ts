import { describe, expect, it } from 'vitest';
import { storageTrouble } from './storage-trouble.js';

describe('storageTrouble', () => {
  it('stands while writes fail, the reserve is spent or messages wait in memory, and says which', () => {
    const healthy = { reserveHeld: true, failure: undefined };
    expect(storageTrouble(healthy, 0, '/var/lib/ember/outbox.db')).toEqual({ standing: false, detail: '' });
    const trouble = storageTrouble(
      { reserveHeld: false, failure: 'SQLITE_FULL' },
      2,
      '/var/lib/ember/outbox.db',
    );
    expect(trouble.standing).toBe(true);
    expect(trouble.detail).toBe(
      'the outbox cannot write (SQLITE_FULL); the disk is full: the space kept for alarms is in use and ' +
        'telemetry is refused; 2 message(s) not stored, held in memory and sent directly; ' +
        'free space on the disk of /var/lib/ember',
    );
    expect(storageTrouble(healthy, 1, 'outbox.db').standing).toBe(true);
  });
});
