import { X509Certificate } from 'node:crypto';
import { EmberError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { CloudConfig } from '../config/cloud-config.js';
import { ensureCloudSecrets, type CloudSecrets } from './cloud-secrets.js';
import { readFleetSigningKey } from './fleet-signing-key.js';
import { checkServiceCertificate, readRequiredFile, tightenDataDir } from './startup-checks.js';

/** What the service reads and checks before anything is built: files and secrets it cannot run without. */
export interface CloudFiles {
  readonly signingKeyPem?: string;
  readonly secrets: CloudSecrets;
  /** The API's own TLS key and certificate, when http.tls is configured. */
  readonly httpTls?: { readonly keyPem: string; readonly certPem: string };
}

/**
 * Checks and reads, in this order: the data folder (made owner-only), the
 * broker's CA, the service certificate (not a device's) and its key, the
 * API's TLS files, the secrets file (made on the first run) and the fleet
 * signing key. Any problem is one line (EMBER_ERR_CLOUD_START,
 * EMBER_ERR_BAD_CONFIG) before anything listens or connects.
 */
export async function readCloudFiles(config: CloudConfig, logger: Logger): Promise<CloudFiles> {
  const tightened = await tightenDataDir(config.dataDir);
  if (tightened > 0) {
    logger
      .child({ component: 'cloud' })
      .warn(
        { dataDir: config.dataDir, files: tightened },
        'data files were readable by others; made owner-only',
      );
  }
  const { broker } = config;
  const caPem = await readRequiredFile('broker CA', broker.caPath);
  try {
    new X509Certificate(caPem);
  } catch (error) {
    throw new EmberError('EMBER_ERR_CLOUD_START', `broker CA ${broker.caPath}: not a PEM certificate`, {
      cause: error,
    });
  }
  const certPem = await readRequiredFile('service certificate', broker.certPath);
  const keyPem = await readRequiredFile('service key', broker.keyPath);
  checkServiceCertificate(certPem, keyPem, broker);
  const tls = config.http.tls;
  const httpTls =
    tls === undefined
      ? undefined
      : {
          certPem: await readRequiredFile('HTTPS certificate', tls.certPath),
          keyPem: await readRequiredFile('HTTPS key', tls.keyPath),
        };
  const secrets = await ensureCloudSecrets(config.dataDir);
  const signingKeyPem = await readFleetSigningKey(config);
  return {
    secrets,
    ...(signingKeyPem === undefined ? {} : { signingKeyPem }),
    ...(httpTls === undefined ? {} : { httpTls }),
  };
}
