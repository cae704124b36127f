import { levelRank, type AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { RecordingColumn } from '../../shared/detection/detection-front-end.js';
import { recordingKeys, type RecordingDescription } from '../../shared/dataset/field-recordings.js';
import { replayCsv, type ReplayRow } from '../../shared/dataset/replay-csv.js';
import type { Logger } from '../../shared/logging.js';
import type { ObjectStore } from '../../shared/object-store/object-store.js';

export interface IncidentRecorderOptions {
  readonly deviceId: string;
  readonly store: ObjectStore;
  readonly logger: Logger;
  /** Seconds of readings kept from before an alarm (default 300). */
  readonly beforeS?: number;
  /** Seconds a recording goes on after the level has fallen back to none (default 300). */
  readonly afterS?: number;
  /** Longest recording, seconds (default 3600). */
  readonly maxS?: number;
  /** Seconds between writes of an open recording (default 60). */
  readonly flushEveryS?: number;
}

interface Recording {
  readonly key: string;
  readonly startedAt: number;
  readonly rows: ReplayRow[];
  lastActiveTs: number;
  lastFlushTs: number;
}

/**
 * Keeps the readings around an incident for the cloud to learn from: the
 * last five minutes always, in memory; when the level reaches a heads-up, a
 * recording opens with them and goes on until the level has been back at
 * none for five minutes (or an hour has passed). It is written to the object
 * store as a replay CSV every minute and when it closes, beside a JSON
 * description (device, start, end, closed), so the cloud can label it with
 * the operator's outcome. `note` is synchronous and cheap; writes run in the
 * background one after another, and a failed one is logged; the next flush
 * writes the whole recording again.
 */
export class IncidentRecorder {
  readonly #o: Required<Omit<IncidentRecorderOptions, 'store' | 'logger'>>;
  readonly #store: ObjectStore;
  readonly #log: Logger;
  readonly #ring: ReplayRow[] = [];
  #open: Recording | undefined;
  /** Writes run one after another, so a later state of a recording never loses to an earlier one. */
  #writes: Promise<void> = Promise.resolve();

  constructor(options: IncidentRecorderOptions) {
    this.#o = {
      deviceId: options.deviceId,
      beforeS: options.beforeS ?? 300,
      afterS: options.afterS ?? 300,
      maxS: options.maxS ?? 3600,
      flushEveryS: options.flushEveryS ?? 60,
    };
    this.#store = options.store;
    this.#log = options.logger.child({ component: 'incident-recorder' });
  }

  /** The open recording's CSV key, for the anomaly messages sent while it runs. */
  get current(): string | undefined {
    return this.#open?.key;
  }

  /** One step: its time (ms), the level after it, and each column's newest value (NaN when missing). */
  note(ts: number, level: AlarmLevel, values: Readonly<Record<RecordingColumn, number>>): void {
    const row: ReplayRow = { ts, values: { ...values } };
    this.#ring.push(row);
    while (this.#ring.length > 0 && (this.#ring[0]?.ts ?? ts) < ts - this.#o.beforeS * 1000)
      this.#ring.shift();
    const active = levelRank(level) >= levelRank('medium');
    let open = this.#open;
    if (open === undefined) {
      if (!active) return;
      const startedAt = this.#ring[0]?.ts ?? ts;
      open = {
        key: recordingKeys(this.#o.deviceId, startedAt).csv,
        startedAt,
        rows: [...this.#ring],
        lastActiveTs: ts,
        lastFlushTs: ts,
      };
      this.#open = open;
      this.#log.info({ key: open.key }, 'incident recording started');
    } else {
      open.rows.push(row);
    }
    if (level !== 'none') open.lastActiveTs = ts;
    const quietFor = ts - open.lastActiveTs;
    const ended = quietFor >= this.#o.afterS * 1000 || ts - open.startedAt >= this.#o.maxS * 1000;
    if (ended || ts - open.lastFlushTs >= this.#o.flushEveryS * 1000) {
      open.lastFlushTs = ts;
      this.#write(open, ended);
    }
    if (ended) {
      this.#open = undefined;
      this.#log.info({ key: open.key, rows: open.rows.length }, 'incident recording closed');
    }
  }

  /** Writes what an open recording has so far, and waits for every write in flight. */
  async stop(): Promise<void> {
    if (this.#open !== undefined) this.#write(this.#open, false);
    this.#open = undefined;
    await this.#writes;
  }

  #write(recording: Recording, closed: boolean): void {
    const rows = [...recording.rows];
    const endedAt = rows.at(-1)?.ts ?? recording.startedAt;
    const keys = recordingKeys(this.#o.deviceId, recording.startedAt);
    const description: RecordingDescription = {
      schemaVersion: 1,
      deviceId: this.#o.deviceId,
      csvKey: keys.csv,
      startedAt: recording.startedAt,
      endedAt,
      stepS: 1,
      closed,
    };
    this.#writes = this.#writes
      .then(async () => {
        await this.#store.put(keys.csv, replayCsv(rows), { contentType: 'text/csv' });
        await this.#store.put(keys.json, JSON.stringify(description), { contentType: 'application/json' });
      })
      .catch((error: unknown) =>
        this.#log.warn({ err: error, key: keys.csv }, 'incident recording not written'),
      );
  }
}
