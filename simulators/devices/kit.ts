import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { ProtocolName } from '../../shared/schemas/readings.js';
import { sourceFromSpec, SourceSpec } from './source-spec.js';

export const KitDevice = z.strictObject({
  /** Also the file name of its tty link, so kept to safe characters. */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, "-" and "_" only'),
  protocol: ProtocolName,
  /** Defaults to the module's factory baud rate. */
  baud: z.number().int().positive().optional(),
  source: SourceSpec.optional(),
});
export type KitDevice = z.infer<typeof KitDevice>;

/** A set of emulated modules, as written in a kit file. */
export const KitDescription = z
  .object({ devices: z.array(KitDevice).min(1) })
  .strict()
  .superRefine((kit, ctx) => {
    const seen = new Set<string>();
    kit.devices.forEach((device, i) => {
      if (seen.has(device.id)) {
        ctx.addIssue({ code: 'custom', path: ['devices', i, 'id'], message: `duplicate id "${device.id}"` });
      }
      seen.add(device.id);
      try {
        sourceFromSpec(device.protocol, device.source);
      } catch (error) {
        if (!isEmberError(error)) throw error;
        ctx.addIssue({ code: 'custom', path: ['devices', i, 'source'], message: error.message });
      }
    });
  });
export type KitDescription = z.infer<typeof KitDescription>;

/** One module of each protocol with clean-room values. */
export const DEFAULT_KIT: KitDescription = {
  devices: [
    { id: 'pms5003', protocol: 'pms5003' },
    { id: 'ze07', protocol: 'ze07' },
    { id: 'mhz19b', protocol: 'mhz19b' },
    { id: 'mcu90640', protocol: 'mcu90640' },
    { id: 'mcu680', protocol: 'mcu680' },
  ],
};

/** Validates a kit; EMBER_ERR_BAD_CONFIG naming the path of each bad field. */
export function parseKit(input: unknown, origin = 'kit'): KitDescription {
  const result = KitDescription.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
  );
  throw new EmberError('EMBER_ERR_BAD_CONFIG', `${origin} is invalid: ${problems.join('; ')}`);
}

/** Reads and validates a kit JSON file. */
export async function loadKitFile(path: string): Promise<KitDescription> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new EmberError('EMBER_ERR_FILE_UNREADABLE', `cannot read kit file ${path}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EmberError('EMBER_ERR_BAD_CONFIG', `kit file ${path} is not JSON`, { cause: error });
  }
  return parseKit(json, `kit file ${path}`);
}
