import { readTlsFiles } from '../../shared/config/tls-files.js';
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
 * broker's CA, the service certificate and its key (each readable and of its
 * kind, the key the certificate's: else EMBER_ERR_BAD_CONFIG naming the
 * field and the file), that the certificate is a service's and current
 * (EMBER_ERR_CLOUD_START), the API's TLS files, the secrets file (made on
 * the first run) and the fleet signing key. Any problem is one line before
 * anything listens or connects.
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
  // Unreadable, not PEM, or a key that is not the certificate's: the config names the wrong file (exit 2).
  const { certPem, keyPem } = await readTlsFiles({
    ca: { field: 'broker.caPath', path: broker.caPath },
    cert: { field: 'broker.certPath', path: broker.certPath },
    key: { field: 'broker.keyPath', path: broker.keyPath },
  });
  // A readable certificate of the wrong kind (a device's, an expired one) cannot start the service (exit 1).
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
