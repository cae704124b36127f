import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_POLICY } from '../shared/alarm/alarm-policy.js';
import { silentLogger } from '../shared/logging.js';
import { CloudConfigFile } from './cloud-config-file.js';

describe('CloudConfigFile', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ember-cloud-config-'));
    path = join(dir, 'outbox.db-cloud-config.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes newer revisions only, keeps them on disk, and reads them back after a restart', async () => {
    const file = new CloudConfigFile(path, silentLogger());
    expect(await file.load()).toBeUndefined();
    expect(await file.accept({ schemaVersion: 1, revision: 2, alarm: DEFAULT_ALARM_POLICY })).toBe(true);
    expect(await file.accept({ schemaVersion: 1, revision: 2, alarm: null })).toBe(false);
    expect(await file.accept({ schemaVersion: 1, revision: 1, alarm: null })).toBe(false);
    expect(file.revision).toBe(2);
    const again = new CloudConfigFile(path, silentLogger());
    expect(await again.load()).toEqual({ schemaVersion: 1, revision: 2, alarm: DEFAULT_ALARM_POLICY });
    expect(again.revision).toBe(2);
    // An older cloud sends no revision: applied, the count stays.
    expect(await again.accept({ schemaVersion: 1, alarm: null })).toBe(true);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ schemaVersion: 1, revision: 2, alarm: null });
  });

  it('treats an unreadable file as none', async () => {
    await writeFile(path, '{ not json');
    const file = new CloudConfigFile(path, silentLogger());
    expect(await file.load()).toBeUndefined();
    expect(file.revision).toBe(0);
  });
});
