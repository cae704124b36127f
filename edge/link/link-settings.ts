import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { DeviceId, isClientIdOf } from '../../shared/topics.js';

const text = z.string().min(1);

/**
 * Settings of the edge's MQTT link. Credentials come either as PEM text or as
 * file paths (certificate and key the same way); the CA is optional because
 * AWS IoT Core's Amazon root is in the system trust store.
 */
export const LinkSettings = z
  .strictObject({
    /** The thing name: the certificate CN, and the MQTT client id unless clientId says otherwise. */
    deviceId: DeviceId,
    /** `{deviceId}#{suffix}` for a second client of the same thing (beside a Greengrass nucleus). */
    clientId: text.optional(),
    /** Broker host: the IoT Core ATS endpoint, or 127.0.0.1 for local brokers. */
    host: text,
    port: z.number().int().min(1).max(65_535).default(8883),
    /**
     * `mqtt311` works everywhere (embedded broker, mosquitto, IoT Core), hence
     * the default; `mqtt5` adds user properties and broker reason codes but the
     * embedded broker (aedes) refuses it.
     */
    protocol: z.enum(['mqtt311', 'mqtt5']).default('mqtt311'),
    caPem: text.optional(),
    caPath: text.optional(),
    certPem: text.optional(),
    certPath: text.optional(),
    keyPem: text.optional(),
    keyPath: text.optional(),
    /** IoT Core accepts 30-1200 s. */
    keepAliveSeconds: z.number().int().min(5).max(1200).default(30),
    /** A PINGREQ without PINGRESP for this long closes the connection. */
    pingTimeoutMs: z.number().int().positive().default(5000),
    /** The MQTT client fails a publish or subscribe without an ack after this long. */
    operationTimeoutSeconds: z.number().int().positive().default(60),
    /**
     * Reconnect delays: exponential from minMs to maxMs with jitter (MQTT 3.1.1
     * rounds them to seconds); while the link's `urgent` check says an alarm
     * waits, a retry every alarmRetryMs instead.
     */
    reconnect: z
      .strictObject({
        minMs: z.number().int().positive().default(1000),
        maxMs: z.number().int().positive().default(60_000),
        alarmRetryMs: z.number().int().min(100).default(1000),
      })
      .prefault({}),
    /**
     * MQTT 5 only: `aws-iot-core` makes the client hold publishes to IoT Core's
     * per-connection limits (100 publishes/s, 512 KB/s); `none` for local brokers.
     */
    flowControl: z.enum(['aws-iot-core', 'none']).default('aws-iot-core'),
    /** How long stop() waits for the PUBACK of the retained offline status. */
    stopTimeoutMs: z.number().int().positive().default(2000),
    /** Goes into the status messages. */
    softwareVersion: text.default('unknown'),
  })
  .superRefine((value, context) => {
    const pairs = [
      ['certPem', 'certPath'],
      ['keyPem', 'keyPath'],
      ['caPem', 'caPath'],
    ] as const;
    for (const [pem, path] of pairs) {
      if (value[pem] !== undefined && value[path] !== undefined) {
        context.addIssue({ code: 'custom', path: [pem], message: `give ${pem} or ${path}, not both` });
      }
    }
    for (const [pem, path] of pairs.slice(0, 2)) {
      if (value[pem] === undefined && value[path] === undefined) {
        context.addIssue({ code: 'custom', path: [pem], message: `${pem} or ${path} is required` });
      }
    }
    // The SDK builders load certificate and key from the same kind of source.
    if ((value.certPem === undefined) !== (value.keyPem === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['keyPem'],
        message: 'certificate and key must both be PEM text or both be file paths',
      });
    }
    if (value.clientId !== undefined && !isClientIdOf(value.deviceId, value.clientId)) {
      context.addIssue({
        code: 'custom',
        path: ['clientId'],
        message: 'must be the device id, or the device id, "#" and up to 32 of A-Z a-z 0-9 _ -',
      });
    }
    if (value.pingTimeoutMs >= value.keepAliveSeconds * 1000) {
      context.addIssue({
        code: 'custom',
        path: ['pingTimeoutMs'],
        message: 'must be shorter than keepAliveSeconds',
      });
    }
    if (value.reconnect.minMs > value.reconnect.maxMs) {
      context.addIssue({ code: 'custom', path: ['reconnect', 'minMs'], message: 'must not exceed maxMs' });
    }
  });
export type LinkSettingsInput = z.input<typeof LinkSettings>;
export type ResolvedLinkSettings = z.output<typeof LinkSettings>;
export type LinkProtocol = ResolvedLinkSettings['protocol'];

/** Parses and fills defaults; throws EMBER_ERR_BAD_CONFIG naming the bad field. Pure. */
export function resolveLinkSettings(input: LinkSettingsInput): ResolvedLinkSettings {
  const parsed = LinkSettings.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? 'link' : ['link', ...issue.path.map(String)].join('.');
    // The message names the field only, never its value: it may be a private key.
    throw new EmberError('EMBER_ERR_BAD_CONFIG', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Where the client certificate and key come from; settings passed resolveLinkSettings, so one of the two holds. */
export type Credentials =
  | { readonly from: 'memory'; readonly certPem: string; readonly keyPem: string }
  | { readonly from: 'files'; readonly certPath: string; readonly keyPath: string };

export function credentialsOf(settings: ResolvedLinkSettings): Credentials {
  if (settings.certPem !== undefined && settings.keyPem !== undefined) {
    return { from: 'memory', certPem: settings.certPem, keyPem: settings.keyPem };
  }
  if (settings.certPath !== undefined && settings.keyPath !== undefined) {
    return { from: 'files', certPath: settings.certPath, keyPath: settings.keyPath };
  }
  throw new EmberError('EMBER_ERR_BAD_CONFIG', 'link: certificate and key are missing');
}
