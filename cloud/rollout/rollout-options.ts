import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { ModelRecord } from '../../factory/registry/registry-catalog.js';
import type { ModelFiles, ModelUrlSigner } from './model-offers.js';

/** Sends one message to the broker at QoS 1 (the cloud's MQTT client); offers go retained. */
export interface OfferPublisher {
  publish(topic: string, payload: Buffer, options?: { readonly retain?: boolean }): Promise<void>;
}

/** The devices a rollout goes to when `start` names none. */
export interface FleetDevices {
  deviceIds(): string[];
}

/** How often devices raised anomalies, in any unit as long as it is the same before and after. */
export interface AlarmBehaviour {
  anomalyRate(deviceIds: readonly string[], sinceTs: number, untilTs: number): number;
}

/** What the rollout needs of the model registry. */
export interface RolloutRegistry extends ModelFiles {
  list(filter?: { status?: 'approved' }): Promise<ModelRecord[]>;
}

const Settings = z.strictObject({
  /** Deadline for every canary to report, from the canary offers. */
  canaryTimeoutS: z.number().positive().default(900),
  /** Deadline for the rest of the fleet to report, from their offers. */
  fleetTimeoutS: z.number().positive().default(3600),
  /** Canaries that may fail before the rollout stops. */
  maxCanaryFailures: z.number().int().min(0).default(0),
  /** How long a signed offer stays valid; a device refuses it afterwards (and any offer older than one it took). */
  offerTtlS: z
    .number()
    .positive()
    .default(7 * 24 * 3600),
  /** Devices fetch from `${publicBaseUrl}/v1/models/{version}/`; without it, by object key. */
  publicBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  observation: z
    .strictObject({
      /** Length of the windows before the canary offers and after the last canary install. */
      windowS: z.number().positive().default(900),
      maxIncreaseRatio: z.number().min(1).default(2),
      minIncrease: z.number().min(0).default(0),
    })
    .prefault({}),
});
export type RolloutSettingsInput = z.input<typeof Settings>;
export type RolloutSettings = z.output<typeof Settings>;

export interface FleetRolloutOptions {
  readonly registry: RolloutRegistry;
  readonly publisher: OfferPublisher;
  readonly fleet: FleetDevices;
  /** The fleet's Ed25519 private key (PKCS#8 PEM) that signs every offer. */
  readonly signingKeyPem: string;
  /** The rollout's own SQLite file. */
  readonly databaseFile?: string;
  /** Keep the rollouts in this PostgreSQL database instead. */
  readonly postgresUrl?: string;
  /**
   * Several workers share the store: this one runs rollouts only between
   * `lead()` and `follow()` (while it holds the rollout lease); otherwise it
   * keeps device reports in the store for the one that does.
   */
  readonly shared?: boolean;
  readonly settings?: RolloutSettingsInput;
  /** With a publicBaseUrl: each device gets its own signed manifest URL, valid as long as its offer. */
  readonly signModelUrl?: ModelUrlSigner;
  /** When given, the canaries' anomaly rate before and after installing must not regress. */
  readonly alarmBehaviour?: AlarmBehaviour;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export function resolveRolloutSettings(input: RolloutSettingsInput = {}): RolloutSettings {
  const parsed = Settings.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = ['rollout', ...(issue?.path.map(String) ?? [])].join('.');
    throw new EmberError('EMBER_ERR_BAD_CONFIG', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** The input's canary share (0.1 by default); throws EMBER_ERR_ROLLOUT outside (0, 1]. */
export function canaryShareOf(input: StartRolloutInput): number {
  const share = input.canaryShare ?? 0.1;
  if (!(share > 0 && share <= 1)) {
    throw new EmberError('EMBER_ERR_ROLLOUT', `canaryShare must be in (0, 1], got ${share}`);
  }
  return share;
}

/** What `start` takes. */
export interface StartRolloutInput {
  readonly version: string;
  /** Share of the devices that get the model first; 0.1 by default, at least one device. */
  readonly canaryShare?: number;
  /** The devices to update; every device of the fleet by default. */
  readonly devices?: readonly string[];
  /** Devices to use as canaries instead of a share picked at random; each must be among `devices`. */
  readonly canaries?: readonly string[];
}
