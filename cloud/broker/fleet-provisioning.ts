import { randomBytes } from 'node:crypto';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { provisioningRequestOf } from '../../shared/fleet-provisioning-topics.js';
import type { CertificateAuthority } from '../../shared/pki/certificate-authority.js';
import { issueForRequest } from '../../shared/pki/issue-certificate.js';
import { generateKeyPair, privateKeyToPem } from '../../shared/pki/key-pair.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { crypto, x509 } from '../../shared/pki/x509.js';
import { runProvisioningTemplate, type ProvisioningTemplateBody } from './provisioning-template.js';
import type { ThingRegistry } from './thing-registry.js';

/** What the broker sends back for one request, on `<request topic>/accepted` or `/rejected`. */
export interface ProvisioningReply {
  readonly topic: string;
  readonly body: Record<string, unknown>;
}

export interface FleetProvisioningOptions {
  /** The CA that signs the certificates it makes (the broker's own). */
  readonly ca: CertificateAuthority;
  readonly registry: ThingRegistry;
  /** Templates by name; a claim certificate may register through these only. */
  readonly templates: ReadonlyMap<string, ProvisioningTemplateBody>;
  /** Validity of the device certificates it makes, in days. */
  readonly certificateDays?: number;
  readonly logger?: Logger;
}

/** A certificate id as IoT Core shows them: 64 hex characters. */
function newCertificateId(): string {
  return randomBytes(32).toString('hex');
}

function parsePayload(payload: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new EmberError('EMBER_ERR_PROVISIONING', 'the request is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EmberError('EMBER_ERR_PROVISIONING', 'the request is not a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * IoT Core's fleet provisioning MQTT API, served by the embedded broker from
 * its local CA: CreateKeysAndCertificate, CreateCertificateFromCsr (the
 * certificate is pending until registered) and RegisterThing through a
 * template, which activates the certificate as that thing's. The same
 * device code (the SDK's identity client) provisions here and on AWS.
 */
export class FleetProvisioning {
  readonly #log: Logger;

  constructor(private readonly options: FleetProvisioningOptions) {
    this.#log = (options.logger ?? silentLogger()).child({ component: 'fleet-provisioning' });
  }

  /** The template names a claim certificate may register through. */
  get templateNames(): readonly string[] {
    return [...this.options.templates.keys()];
  }

  /** The thing a provisioned certificate (CN = its id) is, once registered and active. */
  activeThingOf(certificateId: string): string | undefined {
    return this.options.registry.activeThingOf(certificateId);
  }

  /**
   * Answers one request published by a claim client on `topic`. Never
   * throws for a bad request: the rejection says why, as IoT Core's does.
   */
  async handle(topic: string, payload: Buffer, clientId: string): Promise<ProvisioningReply | undefined> {
    const request = provisioningRequestOf(topic);
    if (request === undefined) return undefined;
    try {
      const body = parsePayload(payload);
      const accepted =
        request.kind === 'create-from-csr'
          ? await this.#createFromCsr(body)
          : request.kind === 'create-keys'
            ? await this.#createKeys()
            : await this.#register(request.templateName, body);
      this.#log.info(
        { clientId, request: request.kind, thingName: accepted['thingName'] },
        'provisioning accepted',
      );
      return { topic: `${topic}/accepted`, body: accepted };
    } catch (error) {
      const message = isEmberError(error) ? error.message : 'internal error';
      if (!isEmberError(error)) this.#log.error({ err: error, clientId }, 'provisioning failed');
      this.#log.warn({ clientId, request: request.kind, reason: message }, 'provisioning rejected');
      const statusCode =
        isEmberError(error, 'EMBER_ERR_PROVISIONING') || isEmberError(error, 'EMBER_ERR_PKI') ? 400 : 500;
      return {
        topic: `${topic}/rejected`,
        body: {
          statusCode,
          errorCode: statusCode === 400 ? 'InvalidRequest' : 'InternalError',
          errorMessage: message,
        },
      };
    }
  }

  async #createFromCsr(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const csr = body['certificateSigningRequest'];
    if (typeof csr !== 'string') {
      throw new EmberError('EMBER_ERR_PROVISIONING', 'certificateSigningRequest is missing');
    }
    const certificateId = newCertificateId();
    const certificatePem = await issueForRequest(
      this.options.ca,
      csr,
      certificateId,
      'provisioned',
      this.#days(),
    );
    const certificateOwnershipToken = await this.options.registry.addPending(certificateId);
    return { certificateId, certificatePem, certificateOwnershipToken };
  }

  async #createKeys(): Promise<Record<string, unknown>> {
    const keys = await generateKeyPair();
    const request = await x509.Pkcs10CertificateRequestGenerator.create(
      { name: 'CN=request', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } },
      crypto,
    );
    const certificateId = newCertificateId();
    const certificatePem = await issueForRequest(
      this.options.ca,
      request.toString('pem'),
      certificateId,
      'provisioned',
      this.#days(),
    );
    const certificateOwnershipToken = await this.options.registry.addPending(certificateId);
    return {
      certificateId,
      certificatePem,
      privateKey: await privateKeyToPem(keys.privateKey),
      certificateOwnershipToken,
    };
  }

  async #register(templateName: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const template = this.options.templates.get(templateName);
    if (template === undefined) throw new EmberError('EMBER_ERR_PROVISIONING', `no template ${templateName}`);
    const token = body['certificateOwnershipToken'];
    const certificateId =
      typeof token === 'string' ? this.options.registry.certificateOfToken(token) : undefined;
    if (certificateId === undefined) {
      throw new EmberError(
        'EMBER_ERR_PROVISIONING',
        'the certificate ownership token is unknown, used or expired',
      );
    }
    const parameters: unknown = body['parameters'] ?? {};
    if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
      throw new EmberError('EMBER_ERR_PROVISIONING', 'parameters must be an object of strings');
    }
    const outcome = runProvisioningTemplate(template, parameters as Record<string, unknown>, certificateId);
    await this.options.registry.register(
      certificateId,
      { name: outcome.thingName, groups: outcome.thingGroups, attributes: outcome.attributes },
      outcome.certificateStatus,
    );
    return { thingName: outcome.thingName, deviceConfiguration: {} };
  }

  #days(): { days?: number } {
    return this.options.certificateDays === undefined ? {} : { days: this.options.certificateDays };
  }
}
