import { X509Certificate, createPrivateKey } from 'node:crypto';
import { io, iot, iotidentity, mqtt } from 'aws-iot-device-sdk-v2';
import { EmberError } from '../../shared/errors.js';
import { generateKeyPair, privateKeyToPem } from '../../shared/pki/key-pair.js';
import { crypto, x509 } from '../../shared/pki/x509.js';

/** What a device needs to provision itself with its claim certificate. */
export interface ClaimProvisioningOptions {
  /** The broker: IoT Core's data endpoint, or the embedded broker's host. */
  readonly host: string;
  readonly port: number;
  /** The broker's CA; absent for IoT Core (Amazon's root is in the system store). */
  readonly caPath?: string;
  readonly claimCertPath: string;
  readonly claimKeyPath: string;
  /** The MQTT client id while claiming: unique per device (its serial number, say). */
  readonly clientId: string;
  readonly templateName: string;
  /** The template's parameters, e.g. `{ SerialNumber: '0042' }`. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly timeoutS?: number;
}

/** A device's own identity, from fleet provisioning. */
export interface ProvisionedIdentity {
  readonly thingName: string;
  readonly certificateId: string;
  readonly certificatePem: string;
  /** PKCS#8 PEM; made on the device, never sent anywhere. */
  readonly keyPem: string;
}

function refusal(step: string, error: unknown): EmberError {
  const modeled = (error as { modeledError?: { errorMessage?: unknown } }).modeledError;
  const why = typeof modeled?.errorMessage === 'string' ? modeled.errorMessage : String(error);
  return new EmberError('EMBER_ERR_PROVISIONING', `${step}: ${why}`, { cause: error });
}

async function connect(
  options: ClaimProvisioningOptions,
  timeoutMs: number,
): Promise<mqtt.MqttClientConnection> {
  const builder = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path(
    options.claimCertPath,
    options.claimKeyPath,
  );
  if (options.caPath !== undefined) builder.with_certificate_authority_from_path(undefined, options.caPath);
  const config = builder
    .with_endpoint(options.host)
    .with_port(options.port)
    .with_client_id(options.clientId)
    .with_clean_session(true)
    .with_keep_alive_seconds(30)
    .with_ping_timeout_ms(5000)
    .with_protocol_operation_timeout_ms(timeoutMs)
    .build();
  const connection = new mqtt.MqttClient(new io.ClientBootstrap()).new_connection(config);
  // The native client emits 'error' for a refused connection; connect() rejects with it too.
  connection.on('error', () => undefined);
  try {
    await connection.connect();
  } catch (error) {
    throw new EmberError(
      'EMBER_ERR_PROVISIONING',
      `cannot connect to ${options.host}:${options.port} with the claim certificate: ${String(error)}`,
      {
        cause: error,
        retryable: true,
      },
    );
  }
  return connection;
}

/**
 * Fleet provisioning by claim through the SDK's identity client: a key pair
 * made here, CreateCertificateFromCsr, then RegisterThing through the
 * template. The same calls work against AWS IoT Core and the embedded
 * broker. Throws EMBER_ERR_PROVISIONING with the broker's reason.
 */
export async function provisionByClaim(options: ClaimProvisioningOptions): Promise<ProvisionedIdentity> {
  const timeoutS = options.timeoutS ?? 30;
  const keys = await generateKeyPair();
  const request = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: `CN=${options.clientId}`, keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } },
    crypto,
  );
  const keyPem = await privateKeyToPem(keys.privateKey);
  const connection = await connect(options, timeoutS * 1000);
  const identity = iotidentity.IotIdentityClientv2.newFromMqtt311(connection, {
    maxRequestResponseSubscriptions: 2,
    maxStreamingSubscriptions: 0,
    operationTimeoutInSeconds: timeoutS,
  });
  try {
    const created = await identity
      .createCertificateFromCsr({ certificateSigningRequest: request.toString('pem') })
      .catch((error: unknown) => {
        throw refusal('CreateCertificateFromCsr', error);
      });
    const { certificateId, certificatePem, certificateOwnershipToken } = created;
    if (
      certificateId === undefined ||
      certificatePem === undefined ||
      certificateOwnershipToken === undefined
    ) {
      throw new EmberError(
        'EMBER_ERR_PROVISIONING',
        'CreateCertificateFromCsr: the reply lacks the certificate',
      );
    }
    if (!new X509Certificate(certificatePem).checkPrivateKey(createPrivateKey(keyPem))) {
      throw new EmberError(
        'EMBER_ERR_PROVISIONING',
        'CreateCertificateFromCsr: the certificate is not for our key',
      );
    }
    const registered = await identity
      .registerThing({
        templateName: options.templateName,
        certificateOwnershipToken,
        parameters: { ...options.parameters },
      })
      .catch((error: unknown) => {
        throw refusal('RegisterThing', error);
      });
    if (registered.thingName === undefined) {
      throw new EmberError('EMBER_ERR_PROVISIONING', 'RegisterThing: the reply names no thing');
    }
    return { thingName: registered.thingName, certificateId, certificatePem, keyPem };
  } finally {
    identity.close();
    await connection.disconnect().catch(() => undefined);
  }
}
