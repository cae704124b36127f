import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderStore } from '../object-store/folder-store.js';
import { labelRecordings, readLabelledRecordings, recordingsCovering } from './field-recordings.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'emberwatch-field-rec-'));

async function deviceRecording(
  store: FolderStore,
  deviceId: string,
  startedAt: number,
  endedAt: number,
): Promise<string> {
  const csvKey = `recordings/${deviceId}/${String(startedAt)}.csv`;
  await store.put(csvKey, `t_s,temp_c\n0,21\n${String((endedAt - startedAt) / 1000)},22\n`);
  await store.put(
    `recordings/${deviceId}/${String(startedAt)}.json`,
    JSON.stringify({ schemaVersion: 1, deviceId, csvKey, startedAt, endedAt, stepS: 1, closed: true }),
  );
  return csvKey;
}

describe('field recordings', () => {
  const stores: FolderStore[] = [];
  afterEach(async () => Promise.all(stores.map((s) => s.close())));
  const open = (): FolderStore => {
    const store = new FolderStore(dir());
    stores.push(store);
    return store;
  };

  it('finds the recordings that cover the incident on the device clock, oldest first', async () => {
    const store = open();
    await deviceRecording(store, 'gw-1', 10_000, 20_000);
    await deviceRecording(store, 'gw-1', 30_000, 40_000);
    await deviceRecording(store, 'gw-2', 10_000, 20_000);
    await store.put('recordings/gw-1/broken.json', '{not json');
    const found = await recordingsCovering(store, 'gw-1', [35_000, 15_000]);
    expect(found.map((r) => r.startedAt)).toEqual([10_000, 30_000]);
    expect(await recordingsCovering(store, 'gw-1', [25_000])).toEqual([]);
  });

  it('copies them under the outcome and labels them with the first alarm in each', async () => {
    const store = open();
    const field = dir();
    const key = await deviceRecording(store, 'gw-1', 100_000, 700_000);
    const labels = await labelRecordings(store, field, {
      incidentId: 'inc-7',
      deviceId: 'gw-1',
      outcome: 'false-alarm',
      by: 'operator',
      at: 1234,
      deviceTimes: [400_000, 410_000],
    });
    expect(labels).toEqual([
      expect.objectContaining({
        file: 'false-alarm/inc-7.csv',
        sourceKey: key,
        alarmAtS: 300,
        labelledBy: 'operator',
      }),
    ]);
    const read = await readLabelledRecordings(field);
    expect(read.recordings).toHaveLength(1);
    expect(readFileSync(read.recordings[0]?.path ?? '', 'utf8')).toMatch(/^t_s,temp_c\n/);
  });

  it('names label lines it cannot read, and refuses a path that climbs out of the folder', async () => {
    const field = dir();
    const store = open();
    await deviceRecording(store, 'gw-1', 0, 10_000);
    await labelRecordings(store, field, {
      incidentId: 'a',
      deviceId: 'gw-1',
      outcome: 'fire',
      by: 'x',
      at: 1,
      deviceTimes: [5000],
    });
    const labels = join(field, 'recordings', 'labels.jsonl');
    const good = readFileSync(labels, 'utf8');
    const climbing = good.replace('"file":"fire/a.csv"', '"file":"../../etc/passwd"');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(labels, `${good}not json\n${climbing}`);
    const read = await readLabelledRecordings(field);
    expect(read.recordings).toHaveLength(1);
    expect(read.skipped).toEqual(['labels.jsonl:2', 'labels.jsonl:3']);
  });
});
