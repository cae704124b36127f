import { copyFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { provisionByClaim } from '../../edge/provisioning/claim-provisioning.js';
import { EmberError } from '../../shared/errors.js';
import { FLEET_TEMPLATE_NAME } from '../../shared/fleet-provisioning-topics.js';
import { writeKeyAndCertificate } from '../../shared/pki/certificate-files.js';
import { DeviceId } from '../../shared/topics.js';
import { parseOptions, writeLine, type Command } from '../options.js';
import * as helpText from '../help/claim.js';

const Endpoint = z
  .string()
  .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'HOST or HOST:PORT')
  .transform((value) => {
    const [host = '', port] = value.split(':');
    return { host, port: port === undefined ? 8883 : Number(port) };
  });

const Param = z.string().regex(/^[A-Za-z0-9_]+=.*$/, 'NAME=VALUE');

const Options = z.object({
  endpoint: Endpoint,
  'claim-cert': z.string().min(1),
  'claim-key': z.string().min(1),
  ca: z.string().min(1).optional(),
  template: z.string().min(1).default(FLEET_TEMPLATE_NAME),
  serial: z.string().min(1).optional(),
  param: z.array(Param).default([]),
  'client-id': DeviceId.optional(),
  out: z.string().min(1),
  'timeout-s': z.coerce.number().int().min(1).max(600).default(30),
});

export const claimCommand: Command = {
  name: 'claim',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const options = parseOptions(
      'claim',
      argv,
      {
        endpoint: { type: 'string' },
        'claim-cert': { type: 'string' },
        'claim-key': { type: 'string' },
        ca: { type: 'string' },
        template: { type: 'string' },
        serial: { type: 'string' },
        param: { type: 'string', multiple: true },
        'client-id': { type: 'string' },
        out: { type: 'string' },
        'timeout-s': { type: 'string' },
      },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    const parameters: Record<string, string> = {};
    for (const param of options.param) {
      const eq = param.indexOf('=');
      parameters[param.slice(0, eq)] = param.slice(eq + 1);
    }
    if (options.serial !== undefined) parameters['SerialNumber'] = options.serial;
    const clientId = options['client-id'] ?? parameters['SerialNumber'];
    if (clientId === undefined || !DeviceId.safeParse(clientId).success) {
      throw new EmberError('EMBER_ERR_BAD_OPTION', 'claim: --client-id is required without a valid --serial');
    }
    const identity = await provisionByClaim({
      host: options.endpoint.host,
      port: options.endpoint.port,
      ...(options.ca === undefined ? {} : { caPath: options.ca }),
      claimCertPath: options['claim-cert'],
      claimKeyPath: options['claim-key'],
      clientId,
      templateName: options.template,
      parameters,
      timeoutS: options['timeout-s'],
    });
    const out = resolve(options.out);
    const paths = await writeKeyAndCertificate(
      out,
      'device',
      { keyPem: identity.keyPem, certPem: identity.certificatePem },
      { exclusive: true },
    );
    if (options.ca !== undefined) await copyFile(options.ca, join(out, 'ca.crt'));
    const record = { thingName: identity.thingName, certificateId: identity.certificateId };
    await writeFile(join(out, 'device.json'), `${JSON.stringify(record, null, 2)}\n`, { flag: 'wx' });
    await writeLine(
      io.stdout,
      JSON.stringify({ thingName: identity.thingName, certificate: paths.certPath, key: paths.keyPath }),
    );
    return 0;
  },
};
