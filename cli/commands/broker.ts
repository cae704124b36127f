import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { z } from 'zod';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_DEVICE_LIMITS, EmbeddedBroker } from '../../cloud/broker/embedded-broker.js';
import { FleetProvisioning } from '../../cloud/broker/fleet-provisioning.js';
import { parseProvisioningTemplate } from '../../cloud/broker/provisioning-template.js';
import { ThingRegistry } from '../../cloud/broker/thing-registry.js';
import { EmberError } from '../../shared/errors.js';
import { FLEET_TEMPLATE_NAME } from '../../shared/fleet-provisioning-topics.js';
import { findPackageFile } from '../../shared/package-files.js';
import { createLogger, type Logger } from '../../shared/logging.js';
import { ensureCa, type CertificateAuthority } from '../../shared/pki/certificate-authority.js';
import { checkIssuedCertificate } from '../../shared/pki/certificate-check.js';
import {
  readKeyAndCertificate,
  writeKeyAndCertificate,
  type KeyAndCertificate,
} from '../../shared/pki/certificate-files.js';
import { issueServerCertificate } from '../../shared/pki/issue-certificate.js';
import { parseOptions, writeLine, type Command } from '../options.js';
import * as helpText from '../help/broker.js';

const Options = z.object({
  port: z.coerce.number().int().min(0).max(65_535).default(8883),
  host: z.string().min(1).default('127.0.0.1'),
  ca: z.string().min(1).default('./data/ca'),
  data: z.string().min(1).default('./data/broker'),
  'max-packet-bytes': z.coerce
    .number()
    .int()
    .min(1024)
    .max(268_435_455)
    .default(DEFAULT_DEVICE_LIMITS.maxPacketBytes),
  'publishes-per-second': z.coerce
    .number()
    .positive()
    .default(DEFAULT_DEVICE_LIMITS.publishesPerSecond ?? 100),
  'bytes-per-second': z.coerce
    .number()
    .int()
    .min(1024)
    .default(DEFAULT_DEVICE_LIMITS.bytesPerSecond ?? 524_288),
  'provisioning-template': z.string().min(1).optional(),
});

/**
 * Fleet provisioning from the broker's CA: the template a claim certificate
 * registers through (the package's own, the one deploy/aws gives IoT Core,
 * unless --provisioning-template names another file), and the registry of
 * the things it made, in --data.
 */
async function fleetProvisioning(
  ca: CertificateAuthority,
  dataDir: string,
  templateFile: string | undefined,
  logger: Logger,
): Promise<{ provisioning: FleetProvisioning; registry: ThingRegistry }> {
  const path = templateFile ?? findPackageFile('deploy/aws/fleet-provisioning-template.json');
  if (path === undefined) {
    throw new EmberError('EMBER_ERR_BAD_OPTION', 'broker: the package has no fleet provisioning template');
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new EmberError('EMBER_ERR_BAD_OPTION', `broker: --provisioning-template: cannot read ${path}`, {
      cause: error,
    });
  }
  let template;
  try {
    template = parseProvisioningTemplate(text, path);
  } catch (error) {
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      `broker: --provisioning-template: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const registry = new ThingRegistry(join(dataDir, 'things.json'));
  await registry.start();
  const templates = new Map([[FLEET_TEMPLATE_NAME, template]]);
  return { provisioning: new FleetProvisioning({ ca, registry, templates, logger }), registry };
}

/** The names clients may use to reach the broker, which its certificate must carry. */
export function serverHostnames(host: string): string[] {
  const wildcard = host === '0.0.0.0' || host === '::';
  return [...new Set(['localhost', '127.0.0.1', wildcard ? hostname() : host])];
}

function covers(certPem: string, hostnames: readonly string[]): boolean {
  const cert = new X509Certificate(certPem);
  return hostnames.every(
    (name) => (isIP(name) === 0 ? cert.checkHost(name) : cert.checkIP(name)) !== undefined,
  );
}

/** The broker's key and certificate in --data: reused while valid for these names, otherwise issued anew. */
async function serverCertificate(
  ca: CertificateAuthority,
  dir: string,
  hostnames: readonly string[],
): Promise<KeyAndCertificate> {
  const existing = await readKeyAndCertificate(dir, 'server');
  if (existing !== undefined) {
    const check = checkIssuedCertificate(ca, existing);
    if (check.ok && check.role === 'server' && covers(existing.certPem, hostnames)) return existing;
  }
  const issued = await issueServerCertificate(ca, hostnames);
  await writeKeyAndCertificate(dir, 'server', issued);
  return issued;
}

export const brokerCommand: Command = {
  name: 'broker',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const options = parseOptions(
      'broker',
      argv,
      {
        port: { type: 'string' },
        host: { type: 'string' },
        ca: { type: 'string' },
        data: { type: 'string' },
        'max-packet-bytes': { type: 'string' },
        'publishes-per-second': { type: 'string' },
        'bytes-per-second': { type: 'string' },
        'provisioning-template': { type: 'string' },
      },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    const ca = await ensureCa(options.ca);
    const server = await serverCertificate(ca, options.data, serverHostnames(options.host));
    const logger = createLogger(io.stderr === process.stderr ? {} : { destination: io.stderr });
    const { provisioning, registry } = await fleetProvisioning(
      ca,
      options.data,
      options['provisioning-template'],
      logger,
    );
    const broker = new EmbeddedBroker({
      provisioning,
      caPem: ca.certPem,
      server,
      host: options.host,
      port: options.port,
      deviceLimits: {
        maxPacketBytes: options['max-packet-bytes'],
        publishesPerSecond: options['publishes-per-second'],
        bytesPerSecond: options['bytes-per-second'],
      },
      logger,
    });
    await broker.start();
    try {
      await writeLine(io.stdout, JSON.stringify({ url: broker.url, port: broker.port, ca: ca.certPath }));
      await io.stopSignal;
    } finally {
      await broker.stop();
      await registry.stop();
    }
    return 0;
  },
};
