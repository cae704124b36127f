import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import { silentLogger } from '../../shared/logging.js';
import { FolderStore } from '../../shared/object-store/folder-store.js';
import { readingsFromCsv } from '../../shared/dataset/replay-csv.js';
import { recordingKeys } from '../../shared/dataset/field-recordings.js';
import { IncidentRecorder } from './incident-recorder.js';

const values = (t: number) => ({
  temp_c: 21 + t / 1000,
  humidity_pct: Number.NaN,
  co_ppm: Number.NaN,
  co2_ppm: 450,
  pm25_ugm3: 5,
  pm10_ugm3: Number.NaN,
});

describe('IncidentRecorder', () => {
  const stores: FolderStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  function open(): FolderStore {
    const store = new FolderStore(mkdtempSync(join(tmpdir(), 'emberwatch-recorder-')));
    stores.push(store);
    return store;
  }

  /** Steps one a second from `from` to `to` seconds at `level`. */
  function play(recorder: IncidentRecorder, from: number, to: number, level: AlarmLevel): void {
    for (let s = from; s < to; s++) recorder.note(s * 1000, level, values(s * 1000));
  }

  it('records the five minutes before a heads-up until five minutes after the last alarm, as a replay CSV', async () => {
    const store = open();
    const recorder = new IncidentRecorder({ deviceId: 'gw-1', store, logger: silentLogger() });
    play(recorder, 0, 1000, 'none');
    expect(recorder.current).toBeUndefined();
    play(recorder, 1000, 1020, 'medium');
    const key = recorder.current;
    expect(key).toBe(recordingKeys('gw-1', 700_000).csv);
    play(recorder, 1020, 1030, 'high');
    play(recorder, 1030, 1400, 'none');
    expect(recorder.current).toBeUndefined();
    await recorder.stop();
    const csv = readingsFromCsv(await store.getText(key ?? ''), 'recording');
    // From 300 s before the heads-up (700 s) to 300 s after the level fell back (1329 s).
    expect(csv.startMs).toBe(0);
    expect(csv.endMs).toBe((1329 - 700) * 1000);
    expect(csv.rows).toBe(1329 - 700 + 1);
    const header = (await store.getText(key ?? '')).split('\n')[0];
    expect(header).toBe('t_s,temp_c,co2_ppm,pm25_ugm3');
    const description = JSON.parse(await store.getText(recordingKeys('gw-1', 700_000).json)) as Record<
      string,
      unknown
    >;
    expect(description).toMatchObject({
      deviceId: 'gw-1',
      startedAt: 700_000,
      endedAt: 1_329_000,
      closed: true,
    });
  });

  it('writes an open recording as it goes, and what it has when stopped', async () => {
    const store = open();
    const recorder = new IncidentRecorder({
      deviceId: 'gw-2',
      store,
      logger: silentLogger(),
      flushEveryS: 10,
    });
    play(recorder, 0, 20, 'none');
    play(recorder, 20, 45, 'high');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const keys = recordingKeys('gw-2', 0);
    const partial = JSON.parse(await store.getText(keys.json)) as { closed: boolean; endedAt: number };
    expect(partial.closed).toBe(false);
    expect(partial.endedAt).toBe(40_000);
    await recorder.stop();
    const last = JSON.parse(await store.getText(keys.json)) as { closed: boolean; endedAt: number };
    expect(last.endedAt).toBe(44_000);
  });

  it('ends a recording after an hour however long the alarm lasts', () => {
    const recorder = new IncidentRecorder({ deviceId: 'gw-3', store: open(), logger: silentLogger() });
    play(recorder, 0, 10, 'high');
    const first = recorder.current;
    play(recorder, 10, 3601, 'high');
    expect(recorder.current).toBeUndefined();
    play(recorder, 3601, 3603, 'high');
    expect(recorder.current).not.toBe(first);
    expect(recorder.current).toBeDefined();
  });
});
