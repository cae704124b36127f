import type { ProtocolName, Reading } from '../../shared/schemas/readings.js';
import type { SerialSourceState } from '../sensors/serial-source-events.js';
import type { TroubleBoard } from './trouble-board.js';

/** Seconds a sensor's line may stay without frames before it is trouble (NFPA 72 allows 200 s). */
export const SILENT_TROUBLE_AFTER_S = 60;
/** Seconds of identical readings before a module whose output always wobbles counts as stuck. */
export const STUCK_TROUBLE_AFTER_S = 300;

/**
 * Modules whose readings never repeat exactly while they work: the BME680's
 * pressure and gas resistance, the MH-Z19B's noisy integer ppm, 768 camera
 * pixels. A particle counter or a CO cell in clean air may read 0 for hours,
 * so those two are never called stuck.
 */
const ALWAYS_WOBBLES: ReadonlySet<ProtocolName> = new Set(['mcu680', 'mhz19b', 'mcu90640']);

interface Watched {
  /** The newest reading, or when the watch first heard of the sensor. */
  lastHeard: number;
  fingerprint: string | undefined;
  sameSince: number;
}

/** What a reading says, without its time, for telling a changing output from a stuck one. */
function fingerprint(reading: Reading): string {
  const {
    ts: _ts,
    outOfRange: _o,
    deviceId: _d,
    sensorId: _s,
    ...values
  } = reading as unknown as Record<string, unknown>;
  return JSON.stringify(values);
}

/**
 * Turns what the agent sees of its sensors into trouble conditions: a line
 * without frames for a minute (silent), a module whose output has not moved
 * for five minutes where it always should (stuck), and readings the module
 * cannot physically give (implausible, as the features judge them). Each
 * condition clears by itself when the sensor behaves again. Pure apart from
 * the board it writes to; the agent calls {@link check} once a second.
 */
export class SensorTroubleWatch {
  readonly #board: TroubleBoard;
  readonly #sensors = new Map<string, Watched>();

  constructor(board: TroubleBoard) {
    this.#board = board;
  }

  #watched(sensorId: string, now: number): Watched {
    let w = this.#sensors.get(sensorId);
    if (w === undefined) {
      w = { lastHeard: now, fingerprint: undefined, sameSince: now };
      this.#sensors.set(sensorId, w);
    }
    return w;
  }

  /** One reading of `sensorId` at `now` (ms). */
  noteReading(reading: Reading, now: number): void {
    const w = this.#watched(reading.sensorId, now);
    w.lastHeard = now;
    this.#board.clear('sensor-silent', reading.sensorId);
    if (!ALWAYS_WOBBLES.has(reading.protocol)) return;
    const print = fingerprint(reading);
    if (print !== w.fingerprint) {
      w.fingerprint = print;
      w.sameSince = now;
      this.#board.clear('sensor-stuck', reading.sensorId);
    } else if (now - w.sameSince >= STUCK_TROUBLE_AFTER_S * 1000) {
      const minutes = Math.round((now - w.sameSince) / 60_000);
      const detail = `${reading.protocol} has sent the same values for ${String(minutes)} min; check the module`;
      this.#board.raise('sensor-stuck', reading.sensorId, detail, now);
    }
  }

  /** The feature extractor's verdict on a sensor changed: it reads the impossible, or is plausible again. */
  notePlausibility(sensorId: string, change: 'faulty' | 'recovered', protocol: string, now: number): void {
    const detail = `${protocol} reports values it cannot physically give (a jump too fast for the module, or impossible counts); its channels count as missing`;
    this.#board.set('sensor-implausible', sensorId, change === 'faulty', detail, now);
  }

  /**
   * Every configured sensor at `now`: one that has sent nothing for a minute
   * (since its last reading, or since the watch first heard of it) is silent;
   * the line's state goes into the detail.
   */
  check(
    lines: readonly { readonly id: string; readonly protocol: string; readonly state: SerialSourceState }[],
    now: number,
  ): void {
    for (const line of lines) {
      const w = this.#watched(line.id, now);
      if (line.state === 'closed' || now - w.lastHeard < SILENT_TROUBLE_AFTER_S * 1000) continue;
      const detail = `${line.protocol} has sent nothing for over ${String(SILENT_TROUBLE_AFTER_S)} s (line ${line.state}); check the cable and the module`;
      this.#board.raise('sensor-silent', line.id, detail, w.lastHeard);
    }
  }
}
