import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { MqttClient } from 'mqtt';
import { EmberError } from '../../shared/errors.js';
import { gatedDuplex, PacketGate, type PacketRefused } from '../../shared/mqtt/packet-gate.js';

/** `auto` tries MQTT 5 and falls back to 3.1.1 when the broker refuses the protocol version. */
export const INGEST_PROTOCOLS = ['auto', 'mqtt5', 'mqtt311'] as const;
export type IngestProtocol = (typeof INGEST_PROTOCOLS)[number];
export type SpokenProtocol = Exclude<IngestProtocol, 'auto'>;

/** Where the broker is and the service identity the ingest shows it (mutual TLS). */
export interface IngestBrokerSettings {
  readonly host: string;
  readonly port: number;
  /** PEM file of the CA that signed the broker's certificate (and ours). */
  readonly caPath: string;
  /** PEM files of the service certificate (OU=service) and its key. */
  readonly certPath: string;
  readonly keyPath: string;
  readonly protocol: IngestProtocol;
  /**
   * MQTT 5 shared subscription group: every ingest with the same group gets
   * a share of the messages instead of all of them. Ignored (with a warning)
   * under MQTT 3.1.1.
   */
  readonly sharedGroup?: string | undefined;
}

/** The TLS material, read once at start(). */
export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export async function readTlsFiles(settings: IngestBrokerSettings): Promise<TlsFiles> {
  const read = async (what: string, path: string): Promise<string> => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new EmberError('EMBER_ERR_FILE_UNREADABLE', `ingest: cannot read the ${what} ${path}: ${code}`, {
        cause: error,
      });
    }
  };
  const [ca, cert, key] = await Promise.all([
    read('CA certificate', settings.caPath),
    read('service certificate', settings.certPath),
    read('service key', settings.keyPath),
  ]);
  return { ca, cert, key };
}

/** CONNACK codes meaning "this protocol version is not spoken here": 3.1.1's 1 and MQTT 5's 0x84. */
const UNSUPPORTED_VERSION = new Set([1, 0x84]);
/** CONNACK codes no retry will change: identifier rejected, bad credentials, not authorised, banned. */
const REFUSED_FOR_GOOD = new Set([2, 4, 5, 0x85, 0x86, 0x87, 0x8a, 0x8c]);

function codeOf(error: unknown): number | string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = error.code;
  return typeof code === 'number' || typeof code === 'string' ? code : undefined;
}

/** One short line for logs and errors; OpenSSL's long messages become their Node error code. */
export function reasonOf(error: unknown): string {
  const code = codeOf(error);
  if (typeof code === 'string' && code.startsWith('ERR_SSL_')) return `TLS refused: ${code}`;
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
}

/** The broker's TLS alerts about our certificate (unknown CA, bad, revoked or expired certificate). */
const CERTIFICATE_ALERT = /^ERR_SSL_(TLSV1|SSLV3|TLSV13)_ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_)/;

/** True when the broker refused the connection for a reason a retry will not fix. */
export function isRefusedForGood(error: unknown): boolean {
  const code = codeOf(error);
  if (typeof code === 'number') return REFUSED_FOR_GOOD.has(code);
  // Our view of the broker's certificate (wrong CA or host name), or the broker's of ours.
  return (
    typeof code === 'string' &&
    (code.startsWith('ERR_TLS_CERT') ||
      code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
      code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
      code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
      code === 'CERT_HAS_EXPIRED' ||
      CERTIFICATE_ALERT.test(code))
  );
}

export interface ConnectRequest {
  readonly settings: IngestBrokerSettings;
  readonly tls: TlsFiles;
  readonly clientId: string;
  readonly protocol: SpokenProtocol;
  readonly connectTimeoutMs: number;
  /** Largest packet read from the broker; a larger one closes the connection at its header. */
  readonly maxPacketBytes: number;
  /** Told of a packet refused for its size (the connection is then closed). */
  readonly onPacketRefused?: (error: PacketRefused) => void;
  /**
   * Told of each client as it is created, before any packet can arrive: a
   * stop() can end an attempt still in progress, and the message handler
   * is in place before a resumed session's queued messages come in.
   */
  readonly onAttempt?: (client: MqttClient) => void;
  /**
   * A persistent session under MQTT 5: kept by the broker for `expiryS`
   * seconds after a disconnection (Session Expiry Interval), with what
   * devices publish meanwhile. A clean session, thrown away on
   * disconnection, when absent and always under 3.1.1.
   */
  readonly session?: { readonly expiryS: number } | undefined;
  /**
   * MQTT 5 Receive Maximum: QoS 1 messages the broker sends before it waits
   * for our PUBACKs. Acknowledging after the handler, this bounds what the
   * ingest holds in memory; the rest waits in the broker's queue.
   */
  readonly receiveMaximum?: number;
}

/**
 * MQTT.js over our own TLS socket with a PacketGate in front of its parser:
 * a packet over the limit closes the connection when its header arrives,
 * instead of MQTT.js buffering all of it. TLS errors before the handshake
 * completes reach the client as MQTT.js' own TLS transport reports them.
 */
function gatedTlsStream(request: ConnectRequest): (client: MqttClient) => Duplex {
  const { settings, tls } = request;
  return (client) => {
    const socket = tlsConnect({
      host: settings.host,
      port: settings.port,
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      rejectUnauthorized: true,
      ...(isIP(settings.host) === 0 ? { servername: settings.host } : {}),
    });
    // The cloud waits for the broker's PUBACK of each offer it sends or clears; Nagle's algorithm
    // would hold a small PUBLISH back behind the ack of the PUBACKs this client just wrote.
    socket.setNoDelay(true);
    const onTlsError = (error: Error): void => {
      client.emit('error', error);
      socket.end();
    };
    socket.on('error', onTlsError);
    socket.once('secureConnect', () => socket.off('error', onTlsError));
    const gate = new PacketGate(
      { maxPacketBytes: request.maxPacketBytes },
      request.onPacketRefused === undefined ? {} : { onRefused: request.onPacketRefused },
    );
    return gatedDuplex(socket, gate);
  };
}

/** One MQTT.js connection attempt; MQTT.js' own reconnect is off, the ingest runs its own with backoff. */
export function connectOnce(request: ConnectRequest): Promise<MqttClient> {
  const mqtt5 = request.protocol === 'mqtt5';
  // Under 3.1.1 a broker cannot be told our packet limit: an oversized message kept in a session would come back on every reconnect.
  const session = mqtt5 ? request.session : undefined;
  const properties = {
    // An MQTT 5 broker then drops what we would refuse, rather than sending it and losing the connection.
    maximumPacketSize: request.maxPacketBytes,
    ...(session === undefined ? {} : { sessionExpiryInterval: session.expiryS }),
    ...(request.receiveMaximum === undefined ? {} : { receiveMaximum: request.receiveMaximum }),
  };
  const client = new MqttClient(gatedTlsStream(request), {
    protocolVersion: mqtt5 ? 5 : 4,
    clientId: request.clientId,
    clean: session === undefined,
    reconnectPeriod: 0,
    connectTimeout: request.connectTimeoutMs,
    keepalive: 30,
    // Subscriptions are made again after each connect by the ingest, not replayed by MQTT.js.
    resubscribe: false,
    ...(mqtt5 ? { properties } : {}),
  });
  request.onAttempt?.(client);
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    const onError = (error: Error): void => {
      failure ??= error;
    };
    const onConnect = (): void => {
      client.off('close', onClose);
      resolve(client);
    };
    const onClose = (): void => {
      client.off('connect', onConnect);
      client.end(true);
      reject(failure ?? new Error('connection closed before CONNACK'));
    };
    // Stays attached for the client's life: MQTT.js throws on an 'error' event nobody listens to.
    client.on('error', onError);
    client.once('connect', onConnect);
    client.once('close', onClose);
  });
}

/**
 * Connects with `protocol`, or for `auto` with MQTT 5 first and 3.1.1 when
 * the broker refuses version 5 (aedes, older brokers). Returns the client
 * and the protocol it speaks.
 */
export async function connectSpeaking(
  protocol: IngestProtocol,
  request: Omit<ConnectRequest, 'protocol'>,
): Promise<{ client: MqttClient; protocol: SpokenProtocol }> {
  if (protocol !== 'auto') return { client: await connectOnce({ ...request, protocol }), protocol };
  try {
    return { client: await connectOnce({ ...request, protocol: 'mqtt5' }), protocol: 'mqtt5' };
  } catch (error) {
    const code = codeOf(error);
    if (typeof code !== 'number' || !UNSUPPORTED_VERSION.has(code)) throw error;
  }
  return { client: await connectOnce({ ...request, protocol: 'mqtt311' }), protocol: 'mqtt311' };
}

/** The four device topics the cloud reads, as a shared group's filters when asked and possible. */
export function ingestFilters(protocol: SpokenProtocol, sharedGroup: string | undefined): string[] {
  const filters = ['anomaly', 'telemetry', 'status', 'model/report'].map((kind) => `emberwatch/v1/+/${kind}`);
  if (sharedGroup === undefined || protocol !== 'mqtt5') return filters;
  return filters.map((filter) => `$share/${sharedGroup}/${filter}`);
}

/**
 * Publishes at QoS 1 and resolves on the PUBACK. Rejects with
 * EMBER_ERR_PUBLISH_TIMEOUT when none comes within `timeoutMs` (10 s by
 * default), EMBER_ERR_CLOUD_BROKER when the broker refuses it or the
 * connection drops first; both retryable.
 */
export async function publishAcked(
  client: MqttClient,
  topic: string,
  payload: Buffer,
  options: { readonly retain?: boolean; readonly timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const message = `ingest: no PUBACK for ${topic} within ${timeoutMs} ms`;
      reject(new EmberError('EMBER_ERR_PUBLISH_TIMEOUT', message, { retryable: true }));
    }, timeoutMs);
  });
  try {
    await Promise.race([
      client.publishAsync(topic, payload, { qos: 1, retain: options.retain ?? false }),
      timeout,
    ]);
  } catch (error) {
    if (error instanceof EmberError) throw error;
    const message = `ingest: publish to ${topic} failed: ${reasonOf(error)}`;
    throw new EmberError('EMBER_ERR_CLOUD_BROKER', message, { cause: error, retryable: true });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends the PUBACK of a message received on `client`. MQTT.js sends it
 * itself when handleMessage calls back, and reads no further packet until
 * then; the ingest calls back at once instead (so that a handler may await
 * a publish's PUBACK on the same connection) and acknowledges here, once
 * the handler has committed, through the client's own packet writer, which
 * has no public name.
 */
export function sendPuback(client: MqttClient, messageId: number): void {
  const writer = client as unknown as {
    _sendPacket(packet: { cmd: 'puback'; messageId: number; reasonCode: number }): void;
  };
  writer._sendPacket({ cmd: 'puback', messageId, reasonCode: 0 });
}
