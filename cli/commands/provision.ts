import { copyFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { ensureCa } from '../../shared/pki/certificate-authority.js';
import { checkIssuedCertificate } from '../../shared/pki/certificate-check.js';
import { readKeyAndCertificate, writeKeyAndCertificate } from '../../shared/pki/certificate-files.js';
import { issueClaimCertificate, issueDeviceCertificate } from '../../shared/pki/issue-certificate.js';
import { DeviceId } from '../../shared/topics.js';
import { parseOptions, writeLine, type Command } from '../options.js';
import * as helpText from '../help/provision.js';

const Options = z
  .object({
    device: DeviceId.optional(),
    claim: DeviceId.optional(),
    ca: z.string().min(1).default('./data/ca'),
    out: z.string().min(1),
    days: z.coerce.number().int().min(1).max(3650).default(365),
  })
  .refine((o) => (o.device === undefined) !== (o.claim === undefined), {
    message: 'give --device ID or --claim NAME, not both',
    path: ['device'],
  });

/**
 * Existing files in --out are reused when they are this CA's certificate for
 * this device, so provisioning is safe to repeat; anything else is left alone
 * and reported, because overwriting a device's key would lock it out.
 */
async function deviceFiles(
  options: z.infer<typeof Options> & { device: string },
): Promise<{ keyPath: string; certPath: string }> {
  const ca = await ensureCa(options.ca);
  const out = resolve(options.out);
  const existing = await readKeyAndCertificate(out, 'device');
  let paths = { keyPath: join(out, 'device.key'), certPath: join(out, 'device.crt') };
  if (existing === undefined) {
    const issued = await issueDeviceCertificate(ca, options.device, { days: options.days });
    paths = await writeKeyAndCertificate(out, 'device', issued, { exclusive: true });
  } else {
    const check = checkIssuedCertificate(ca, existing);
    const reason = !check.ok
      ? check.reason
      : check.commonName !== options.device || check.role !== 'device'
        ? `it belongs to ${check.role ?? 'unknown role'} ${check.commonName ?? '?'}`
        : undefined;
    if (reason !== undefined) {
      throw new EmberError(
        'EMBER_ERR_PKI',
        `provision: ${paths.certPath} exists and cannot be reused (${reason}); remove it or choose another --out`,
      );
    }
  }
  await copyFile(ca.certPath, join(out, 'ca.crt'));
  return paths;
}

export const provisionCommand: Command = {
  name: 'provision',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const options = parseOptions(
      'provision',
      argv,
      {
        device: { type: 'string' },
        claim: { type: 'string' },
        ca: { type: 'string' },
        out: { type: 'string' },
        days: { type: 'string' },
      },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    if (options.claim !== undefined) {
      const ca = await ensureCa(options.ca);
      const out = resolve(options.out);
      const issued = await issueClaimCertificate(ca, options.claim, { days: options.days });
      const paths = await writeKeyAndCertificate(out, 'claim', issued, { exclusive: true });
      await copyFile(ca.certPath, join(out, 'ca.crt'));
      const claim = {
        claim: options.claim,
        certificate: paths.certPath,
        key: paths.keyPath,
        ca: join(out, 'ca.crt'),
      };
      await writeLine(io.stdout, JSON.stringify(claim));
      return 0;
    }
    const { keyPath, certPath } = await deviceFiles({ ...options, device: options.device ?? '' });
    const line = {
      deviceId: options.device,
      certificate: certPath,
      key: keyPath,
      ca: join(resolve(options.out), 'ca.crt'),
    };
    await writeLine(io.stdout, JSON.stringify(line));
    return 0;
  },
};
