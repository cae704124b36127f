import type { TlsFileContents } from '../shared/config/tls-files.js';
import type { Logger } from '../shared/logging.js';
import type { ObjectStore } from '../shared/object-store/object-store.js';
import type { LinkReconnect } from './agent-settings.js';
import type { AgentConfig } from './config/agent-config.js';
import type { DrainerSettingsInput } from './outbox/drainer-settings.js';
import type { OutboxFaults } from './outbox/sqlite-commit.js';
import type { SerialLineFactory } from './sensors/serial-line.js';

/** What an EdgeAgent is built from: the config file's contents, and what tests or create() add. */
export interface EdgeAgentOptions {
  readonly config: AgentConfig;
  readonly logger?: Logger;
  /** How serial ports are opened; the system binding (hardware, ptys) by default. */
  readonly lines?: SerialLineFactory;
  /**
   * Emulated seconds per real second (default 1). Tests that play scenarios
   * faster than life set it to the playback speed: readings and steps are then
   * stamped in emulated time and the step timer fires every 1000 / speed ms.
   */
  readonly timeScale?: number;
  readonly drainer?: Omit<DrainerSettingsInput, never>;
  /** Link reconnect delays, instead of the config's `broker.reconnect` (tests shorten them). */
  readonly reconnect?: LinkReconnect;
  readonly softwareVersion?: string;
  /** The fleet's public keys (PEM), read from `model.fleetPublicKeyPath` by {@link EdgeAgent.create}. */
  readonly fleetPublicKeys?: readonly string[];
  /** The store `snapshotStore` names, opened by {@link EdgeAgent.create}. */
  readonly snapshotStore?: ObjectStore;
  /** The broker's CA, the device certificate and key, read and checked by {@link EdgeAgent.create}. */
  readonly brokerCredentials?: TlsFileContents;
  /** A full disk on demand, for tests where no small filesystem can be mounted. */
  readonly outboxFaults?: OutboxFaults;
}
