import { readFile, writeFile } from 'node:fs/promises';
import type { Logger } from '../shared/logging.js';
import { writeFileAtomically } from '../shared/object-store/atomic-file.js';
import { DeviceConfigMessage } from '../shared/schemas/messages.js';

/**
 * The cloud's config message this device runs (new alarm thresholds from the
 * learning agent), kept in a file beside the outbox so that a restart, even
 * without a broker, keeps the cloud's thresholds. A message with a revision
 * no higher than the one kept is old news (a retained copy delivered again)
 * and changes nothing; the revision goes into every health status, which is
 * how the cloud learns the device has it.
 */
export class CloudConfigFile {
  readonly #path: string;
  readonly #log: Logger;
  #revision = 0;

  constructor(path: string, logger: Logger) {
    this.#path = path;
    this.#log = logger.child({ component: 'cloud-config', path });
  }

  /** Revision of the config this device runs; 0 before the first. */
  get revision(): number {
    return this.#revision;
  }

  /** The config kept from an earlier run; a missing or unreadable file means none. */
  async load(): Promise<DeviceConfigMessage | undefined> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch {
      return undefined;
    }
    let parsed: ReturnType<typeof DeviceConfigMessage.safeParse>;
    try {
      parsed = DeviceConfigMessage.safeParse(JSON.parse(text) as unknown);
    } catch {
      parsed = DeviceConfigMessage.safeParse(undefined);
    }
    if (!parsed.success) {
      this.#log.warn('the kept cloud config is unreadable; waiting for the cloud to send it again');
      return undefined;
    }
    this.#revision = parsed.data.revision ?? 0;
    return parsed.data;
  }

  /**
   * Takes a config message: false when it is no newer than the one kept,
   * else keeps it (on disk when it can; in memory regardless) and returns true.
   */
  async accept(message: DeviceConfigMessage): Promise<boolean> {
    if (message.revision !== undefined && message.revision <= this.#revision) return false;
    // A message without a revision (an older cloud) applies, and leaves the count where it was.
    this.#revision = message.revision ?? this.#revision;
    const kept = this.#revision === 0 ? message : { ...message, revision: this.#revision };
    try {
      const text = `${JSON.stringify(kept)}\n`;
      await writeFileAtomically(this.#path, (tmp) => writeFile(tmp, text));
    } catch (error) {
      this.#log.warn({ err: error }, 'cloud config applied but not kept on disk: a restart forgets it');
    }
    return true;
  }
}
