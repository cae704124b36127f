import { Listeners } from '../shared/listeners.js';
import type { Reading } from '../shared/schemas/readings.js';
import { serialSourceOptions, type SourceWiring } from './agent-settings.js';
import type { AgentConfig } from './config/agent-config.js';
import { SerialSource } from './sensors/serial-source.js';
import type { AgentSnapshot } from './status/agent-report.js';

interface SourceEntry {
  readonly id: string;
  readonly protocol: string;
  readonly source: SerialSource;
  readings: number;
}

/**
 * The agent's serial sources, one per configured sensor: each hands its
 * readings to the `onReading` listeners and counts them for the status report.
 */
export class SensorSources {
  readonly #entries: SourceEntry[];
  readonly #readings = new Listeners<[Reading]>();

  constructor(config: AgentConfig, wiring: SourceWiring) {
    this.#entries = config.sensors.map((sensor) => {
      const source = new SerialSource(serialSourceOptions(config, sensor, wiring));
      const entry: SourceEntry = { id: sensor.id, protocol: sensor.protocol, source, readings: 0 };
      source.on('reading', (reading) => {
        entry.readings++;
        this.#readings.emit(reading);
      });
      return entry;
    });
  }

  /** Hears every reading of every sensor, in arrival order. */
  onReading(listener: (reading: Reading) => void): () => void {
    return this.#readings.add(listener);
  }

  async start(): Promise<void> {
    await Promise.all(this.#entries.map(({ source }) => source.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.#entries.map(({ source }) => source.stop()));
  }

  /** Each sensor's line state, reading count and decode counters. */
  snapshot(): Omit<AgentSnapshot['sensors'][number], 'implausible'>[] {
    return this.#entries.map((s) => ({
      id: s.id,
      protocol: s.protocol,
      state: s.source.state,
      readings: s.readings,
      stats: s.source.stats,
    }));
  }
}
