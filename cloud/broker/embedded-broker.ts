import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket, createServer, type Server } from 'node:tls';
import { Aedes, type Client, type ConnectPacket, type PublishPacket, type Subscription } from 'aedes';
import { EmberError } from '../../shared/errors.js';
import type { KeyAndCertificate } from '../../shared/pki/certificate-files.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { gatedDuplex, PacketGate, type PacketLimits } from '../../shared/mqtt/packet-gate.js';
import { connectRefusal, publishRefusal, subscribeRefusal } from './broker-policy.js';
import { identityFromCertificateSubject, type ClientIdentity } from './client-identity.js';
import type { FleetProvisioning } from './fleet-provisioning.js';
import { ProvisioningReplies } from './provisioning-replies.js';
import { DEVICE_MAX_PACKET_BYTES } from '../../shared/mqtt/device-limits.js';

/** How the embedded broker listens and whom it trusts. */
export interface EmbeddedBrokerOptions {
  /** PEM of the CA whose client certificates are accepted; nothing else is. */
  readonly caPem: string;
  /** The broker's own TLS key and certificate (see issueServerCertificate). */
  readonly server: KeyAndCertificate;
  /** Address to bind; loopback by default so that a demo never listens on the network by accident. */
  readonly host?: string;
  /** TCP port; 0 asks the system for a free one (read it from `port` after start). Default 8883. */
  readonly port?: number;
  /** What one device connection may send; DEFAULT_DEVICE_LIMITS by default. */
  readonly deviceLimits?: PacketLimits;
  /** What one service connection (the cloud) may send; DEFAULT_SERVICE_LIMITS by default. */
  readonly serviceLimits?: PacketLimits;
  /**
   * IoT Core's fleet provisioning API for claim certificates; without it a
   * claim certificate can do nothing, and provisioned certificates are refused.
   */
  readonly provisioning?: FleetProvisioning;
  readonly logger?: Logger;
}

/**
 * Devices: packets of at most 64 KiB (half IoT Core's 128 KB payload limit;
 * a device's messages are a few kilobytes), and IoT Core's per-connection
 * rates of 100 publishes and 512 KiB a second. A larger packet closes the
 * connection at its header; a faster sender is slowed, not dropped.
 */
export const DEFAULT_DEVICE_LIMITS: PacketLimits = {
  maxPacketBytes: DEVICE_MAX_PACKET_BYTES,
  publishesPerSecond: 100,
  bytesPerSecond: 512 * 1024,
};

/** Services offer models to the whole fleet at once: no rate, and room for any offer or config message. */
export const DEFAULT_SERVICE_LIMITS: PacketLimits = { maxPacketBytes: 256 * 1024 };

/** MQTT 3.1.1 CONNACK return codes the broker sends on refusal. */
const IDENTIFIER_REJECTED = 2;
const NOT_AUTHORIZED = 5;
type RefusalError = Error & { returnCode: typeof IDENTIFIER_REJECTED | typeof NOT_AUTHORIZED };

/** An error the broker raised on purpose: already logged, so aedes' error events skip it. */
class PolicyRefusal extends Error {}

function refusal(reason: string, returnCode: RefusalError['returnCode'] = NOT_AUTHORIZED): RefusalError {
  return Object.assign(new PolicyRefusal(reason), { returnCode });
}

function remoteOf(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}

/** Log fields naming a client: `deviceId` for a device, `service` for a service. */
function who(identity: ClientIdentity): Record<string, string> {
  if (identity.role === 'device') return { deviceId: identity.name };
  return identity.role === 'claim' ? { claim: identity.name } : { service: identity.name };
}

/**
 * An MQTT 3.1.1 broker (aedes) behind a TLS server that requires a client
 * certificate from the local CA, enforcing per-device topics the way an IoT
 * Core policy with `${iot:Connection.Thing.ThingName}` does. Identity comes
 * from the verified certificate only.
 */
export class EmbeddedBroker {
  readonly #log: Logger;
  readonly #identities = new WeakMap<Client, ClientIdentity>();
  /** Will topics seen in CONNECT, kept for the check in `authenticate`, which aedes calls without the packet. */
  readonly #willTopics = new WeakMap<Client, string>();
  readonly #sockets = new Set<Socket>();
  /** The TLS socket under each gated connection aedes handles: the verified certificate lives there. */
  readonly #tlsSockets = new WeakMap<Duplex, TLSSocket>();
  readonly #replies: ProvisioningReplies | undefined;
  #aedes: Aedes | undefined;
  #server: Server | undefined;
  #address: AddressInfo | undefined;

  readonly #options: EmbeddedBrokerOptions;
  constructor(options: EmbeddedBrokerOptions) {
    this.#options = options;
    this.#log = (options.logger ?? silentLogger()).child({ component: 'broker' });
    this.#replies =
      options.provisioning === undefined
        ? undefined
        : new ProvisioningReplies(options.provisioning, this.#log);
  }

  /** The provisioning templates claim clients may use (none without provisioning). */
  get #templates(): readonly string[] {
    return this.#options.provisioning?.templateNames ?? [];
  }

  /** Who a verified certificate subject is; provisioned certificates through the registry. */
  #identityOf(subject: unknown): ReturnType<typeof identityFromCertificateSubject> {
    return identityFromCertificateSubject(subject, (id) => this.#options.provisioning?.activeThingOf(id));
  }

  /** The bound port; only after start(). */
  get port(): number {
    if (this.#address === undefined) throw new EmberError('EMBER_ERR_NOT_STARTED', 'broker: not started');
    return this.#address.port;
  }

  /** `mqtts://host:port` for clients; only after start(). */
  get url(): string {
    const host = this.#options.host ?? '127.0.0.1';
    return `mqtts://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.#aedes !== undefined) return;
    const aedes = await Aedes.createBroker({
      connectTimeout: 10_000,
      preConnect: (client, packet, done) => this.#rememberWill(client, packet, done),
      authenticate: (client, _username, _password, done) => this.#authenticate(client, done),
      authorizePublish: (client, packet, done) => this.#authorizePublish(client, packet, done),
      authorizeSubscribe: (client, subscription, done) =>
        this.#authorizeSubscribe(client, subscription, done),
      authorizeForward: (client, packet) =>
        this.#replies?.mayForward(client, packet) === false ? null : packet,
    });
    aedes.on('publish', (packet, client) => {
      if (client === null || this.#identities.get(client)?.role !== 'claim') return;
      this.#replies?.answer(aedes, client, packet);
    });
    aedes.on('clientReady', (client) => {
      const identity = this.#identities.get(client);
      if (identity === undefined) return;
      this.#log.info({ ...who(identity), role: identity.role, clientId: client.id }, 'client connected');
    });
    aedes.on('clientDisconnect', (client) => {
      const identity = this.#identities.get(client);
      if (identity === undefined) return;
      this.#log.info({ ...who(identity), role: identity.role, clientId: client.id }, 'client disconnected');
    });
    const onError = (client: Client, error: Error): void => {
      if (error instanceof PolicyRefusal) return;
      this.#log.debug({ clientId: client.id, reason: error.message }, 'client connection error');
    };
    aedes.on('clientError', onError);
    aedes.on('connectionError', onError);

    const server = createServer(
      {
        key: this.#options.server.keyPem,
        cert: this.#options.server.certPem,
        ca: this.#options.caPem,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
      },
      (socket) => this.#handle(aedes, socket),
    );
    server.on('connection', (socket: Socket) => {
      // MQTT is small packets that each wait for an answer (a PUBACK, a SUBACK). With Nagle's
      // algorithm a PUBACK written while earlier bytes await their TCP ack waits for that ack, which
      // the peer delays up to 40 ms: the cloud clearing 1,000 retained offers one after the other
      // spent most of a rollout waiting so (bench/cloud-rollout.bench.ts).
      socket.setNoDelay(true);
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
      this.#log.warn(
        { remote: remoteOf(socket), reason: error.code ?? error.message },
        'TLS handshake refused',
      );
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.#options.port ?? 8883, this.#options.host ?? '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      const where = `${this.#options.host ?? '127.0.0.1'}:${this.#options.port ?? 8883}`;
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new EmberError('EMBER_ERR_BROKER_LISTEN', `broker: cannot listen on ${where}: ${code}`, {
        cause: error,
        retryable: code === 'EADDRINUSE',
      });
    }
    this.#aedes = aedes;
    this.#server = server;
    this.#address = server.address() as AddressInfo;
    this.#log.info({ url: this.url }, 'broker listening');
  }

  /** Disconnects every client (wills are not sent: the broker, not the device, went away) and closes the port. */
  async stop(): Promise<void> {
    const aedes = this.#aedes;
    const server = this.#server;
    if (aedes === undefined || server === undefined) return;
    this.#aedes = undefined;
    this.#server = undefined;
    this.#address = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    // Connections still in the TLS handshake or CONNECT are not aedes clients yet.
    for (const socket of this.#sockets) socket.destroy();
    await closed;
    this.#log.info('broker stopped');
  }

  /** Puts the connection's packet limits (by certificate role) in front of aedes. */
  #handle(aedes: Aedes, socket: TLSSocket): void {
    const identity = this.#identityOf(socket.getPeerCertificate().subject);
    const service = identity.ok && identity.identity.role === 'service';
    const limits = service
      ? (this.#options.serviceLimits ?? DEFAULT_SERVICE_LIMITS)
      : (this.#options.deviceLimits ?? DEFAULT_DEVICE_LIMITS);
    const fields = { ...(identity.ok ? who(identity.identity) : {}), remote: remoteOf(socket) };
    let throttled = false;
    const gate = new PacketGate(limits, {
      onRefused: (error) =>
        this.#log.warn(
          { ...fields, bytes: error.bytes, limit: limits.maxPacketBytes, reason: error.message },
          'packet refused, disconnecting',
        ),
      onThrottled: (waitMs) => {
        if (throttled) return;
        throttled = true;
        this.#log.warn({ ...fields, waitMs }, 'client sends faster than its rate limit; reading paused');
      },
    });
    const conn = gatedDuplex(socket, gate);
    conn.on('error', () => undefined);
    this.#tlsSockets.set(conn, socket);
    aedes.handle(conn);
  }

  #rememberWill(client: Client, packet: ConnectPacket, done: (e: Error | null, ok: boolean) => void): void {
    if (packet.will !== undefined) this.#willTopics.set(client, packet.will.topic);
    done(null, true);
  }

  #authenticate(client: Client, done: (e: RefusalError | null, ok: boolean | null) => void): void {
    const conn = this.#tlsSockets.get(client.conn);
    const remote = conn === undefined ? '?' : remoteOf(conn);
    if (conn === undefined || !conn.authorized) {
      this.#log.warn(
        { clientId: client.id, remote, reason: 'no verified client certificate' },
        'connection refused',
      );
      done(refusal('no verified client certificate'), null);
      return;
    }
    const result = this.#identityOf(conn.getPeerCertificate().subject);
    if (!result.ok) {
      this.#log.warn({ clientId: client.id, remote, reason: result.reason }, 'connection refused');
      done(refusal(result.reason), null);
      return;
    }
    const { identity } = result;
    const reason = connectRefusal(identity, client.id, this.#willTopics.get(client));
    if (reason !== undefined) {
      const fields = { ...who(identity), role: identity.role, clientId: client.id, remote, reason };
      this.#log.warn(fields, 'connection refused');
      const code = reason.startsWith('client id') ? IDENTIFIER_REJECTED : NOT_AUTHORIZED;
      done(refusal(reason, code), null);
      return;
    }
    this.#identities.set(client, identity);
    done(null, true);
  }

  #authorizePublish(client: Client | null, packet: PublishPacket, done: (e?: Error | null) => void): void {
    // aedes passes no client only for wills restored from persistence; those were checked at CONNECT.
    if (client === null) return done(null);
    const identity = this.#identities.get(client);
    const reason =
      identity === undefined
        ? 'client not authenticated'
        : publishRefusal(identity, packet.topic, this.#templates);
    if (reason === undefined) return done(null);
    const fields = identity === undefined ? {} : { ...who(identity), role: identity.role };
    this.#log.warn(
      { ...fields, clientId: client.id, topic: packet.topic, reason },
      'publish refused, disconnecting',
    );
    // aedes closes the connection on a refused publish, as IoT Core does on a policy violation.
    done(new PolicyRefusal(reason));
  }

  #authorizeSubscribe(
    client: Client,
    subscription: Subscription,
    done: (e: Error | null, s?: Subscription | null) => void,
  ): void {
    const identity = this.#identities.get(client);
    const reason =
      identity === undefined
        ? 'client not authenticated'
        : subscribeRefusal(identity, subscription.topic, this.#templates);
    if (reason === undefined) return done(null, subscription);
    const fields = identity === undefined ? {} : { ...who(identity), role: identity.role };
    this.#log.warn(
      { ...fields, clientId: client.id, filter: subscription.topic, reason },
      'subscribe refused',
    );
    // A null subscription makes aedes answer SUBACK 0x80 and keep the connection, as MQTT 3.1.1 intends.
    done(null, null);
  }
}
