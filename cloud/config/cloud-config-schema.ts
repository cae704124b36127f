import { z } from 'zod';
import { DeviceId } from '../../shared/topics.js';
import { AlertRuleSettings } from '../monitoring/alert-rules.js';
import { ResponseSettings } from '../response/response-settings.js';

const text = z.string().min(1);
const port = z.number().int().min(0).max(65_535);
const seconds = z.number().positive();

/** MQTT 5 shared subscription group name: one topic level, no wildcards. */
const SharedGroup = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a group is 1-64 characters of A-Z a-z 0-9 _ -');

export const CloudBrokerConfig = z.strictObject({
  host: text,
  port: port.min(1).default(8883),
  caPath: text,
  certPath: text,
  keyPath: text,
  /** auto: MQTT 5, or 3.1.1 when the broker does not speak 5 (the embedded broker). */
  protocol: z.enum(['auto', 'mqtt5', 'mqtt311']).default('auto'),
  /** MQTT 5 shared subscription group, so several cloud workers split the device messages. */
  sharedGroup: SharedGroup.optional(),
  /** MQTT client id, one per worker; random per process when absent (and then the session is clean). */
  clientId: text.optional(),
  /**
   * How long the broker keeps the cloud's session (subscriptions, what
   * devices publish meanwhile, what was not acknowledged) after it
   * disconnects, seconds; only with a `clientId`. 86,400 (a day) by
   * default; 0 asks for a clean session, kept for nothing.
   */
  sessionExpiryS: z.number().int().min(0).max(4_294_967_294).optional(),
  /** How long start-up waits for the broker before the process gives up (exit 1); 5 s by default. */
  startTimeoutS: seconds.max(600).optional(),
  /**
   * Largest MQTT packet the cloud reads, bytes; a larger one closes the
   * connection before its body is read. 256 KiB by default (devices may send 128 KB).
   */
  maxPacketBytes: z.number().int().min(1024).max(268_435_455).optional(),
});

export const CloudHttpConfig = z.strictObject({
  host: text.default('127.0.0.1'),
  /** 0 picks a free port. */
  port: port.default(8080),
  /**
   * The address users and devices reach the API at: links in notifications,
   * and the signed model URLs of rollouts. Its host is allowed in Host headers.
   */
  publicBaseUrl: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).optional(),
  /** Serve HTTPS (PEM files); the session cookie is then Secure. */
  tls: z.strictObject({ certPath: text, keyPath: text }).optional(),
  /** Host names requests may name besides loopback, the bound address and publicBaseUrl's host. */
  allowedHosts: z.array(z.string().regex(/^[A-Za-z0-9.:[\]-]{1,255}$/, 'a host name')).optional(),
  /** How long a dashboard sign-in lasts; 12 h by default. */
  sessionTtlH: z
    .number()
    .positive()
    .max(24 * 30)
    .optional(),
  /** Sign-in attempts per minute from one address; 10 by default. */
  loginPerMinute: z.number().int().min(1).max(10_000).optional(),
});

export const CloudRegistryConfig = z.strictObject({
  /** Object store of the model registry: a folder, file:// URL or s3:// URL. */
  store: text,
  /**
   * The registry's SQLite catalogue; needed without `database:`, unused
   * with it (the catalogue is then in the database, shared by the workers).
   */
  catalogFile: text.optional(),
});

export const FleetKeyConfig = z.strictObject({
  /** Ed25519 private key (PEM) that signs model offers; devices hold the public half. */
  privateKeyPath: text,
});

/** Risk assessment windows and limits (see cloud/analysis); defaults suit real time. */
export const AnalysisConfig = z.strictObject({
  historyWindowS: seconds.optional(),
  sustainedAfterS: seconds.optional(),
  repeatedCount: z.number().int().positive().optional(),
  /** How far back a zone mate's anomaly corroborates another device's. */
  zoneWindowS: seconds.optional(),
  falseAlarmWindowS: seconds.optional(),
  decodeErrorLimit: z.number().min(0).optional(),
});

/** Model rollouts: the canary share besides the rollout component's own settings. */
export const RolloutConfig = z.strictObject({
  /** Share of the fleet offered a model first; at least one device. */
  canaryShare: z.number().gt(0).max(1).default(0.1),
  canaryTimeoutS: seconds.optional(),
  fleetTimeoutS: seconds.optional(),
  maxCanaryFailures: z.number().int().min(0).optional(),
  observation: z
    .strictObject({
      windowS: seconds.optional(),
      maxIncreaseRatio: z.number().min(1).optional(),
      minIncrease: z.number().min(0).optional(),
    })
    .optional(),
});

/** Learning from operators' outcomes; retraining needs both datasets and a registry. */
export const LearningConfig = z.strictObject({
  /** Labelled field windows (JSON lines); `{dataDir}/field-data` by default. */
  fieldDataDir: text.optional(),
  /** Synthetic training dataset (folder or s3://) a retrain starts from. */
  trainingData: text.optional(),
  /** Held-out dataset (folder or s3://) the registry gate judges a retrained model on. */
  heldOutData: text.optional(),
  /** Where devices write incident recordings (their snapshotStore); the registry's store by default. */
  recordingStore: text.optional(),
  /**
   * Real-fire folders (replay CSVs and alarms.csv) the gate replays every
   * retrained model on; the NIST home fires the package ships by default.
   */
  realFires: z.array(text).optional(),
  trials: z.number().int().positive().optional(),
});

/**
 * A PostgreSQL database for the stores several cloud workers can share
 * (incidents, fleet, rollouts, leases): a postgres:// URL as libpq reads it.
 */
export const DatabaseUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S*$/, 'a postgres:// or postgresql:// URL without spaces');

/** Zone name → the devices in it; a device may be in one zone only. */
export const ZonesConfig = z
  .record(text, z.array(DeviceId))
  .default({})
  .superRefine((zones, ctx) => {
    const seen = new Map<string, string>();
    for (const [zone, devices] of Object.entries(zones)) {
      devices.forEach((device, index) => {
        const other = seen.get(device);
        if (other !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [zone, index],
            message: `${device} is already in zone ${other}`,
          });
        }
        seen.set(device, zone);
      });
    }
  });

/** The cloud process's configuration file (YAML or JSON). */
export const CloudConfigSchema = z
  .strictObject({
    broker: CloudBrokerConfig,
    /** Folder of the cloud's SQLite files (fleet, incidents, rollouts…). */
    dataDir: text,
    /** Keep the incidents, fleet, rollouts, leases, learning, device configs, users, tokens, sessions and audit log in this PostgreSQL database instead of `dataDir`. */
    database: DatabaseUrl.optional(),
    http: CloudHttpConfig.prefault({}),
    zones: ZonesConfig,
    registry: CloudRegistryConfig.optional(),
    fleetKey: FleetKeyConfig.optional(),
    analysis: AnalysisConfig.prefault({}),
    response: ResponseSettings.strict().prefault({}),
    alerts: AlertRuleSettings.strict().prefault({}),
    rollout: RolloutConfig.prefault({}),
    learning: LearningConfig.prefault({}),
  })
  .superRefine((config, ctx) => {
    if (
      config.registry !== undefined &&
      config.registry.catalogFile === undefined &&
      config.database === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['registry', 'catalogFile'],
        message: 'needed unless database: keeps the catalogue in PostgreSQL',
      });
    }
  });
export type CloudConfig = z.output<typeof CloudConfigSchema>;
export type CloudConfigInput = z.input<typeof CloudConfigSchema>;
