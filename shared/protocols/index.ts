import { EmberError } from '../errors.js';
import type { ProtocolName } from '../schemas/readings.js';
import { PROTOCOL_NAMES } from '../schemas/readings.js';
import type { ProtocolCodec } from './codec.js';
import { mcu680 } from './mcu680.js';
import { mcu90640 } from './mcu90640.js';
import { mhz19b } from './mhz19b.js';
import { pms5003 } from './pms5003.js';
import { ze07 } from './ze07.js';

/** The codec of every supported module, by protocol name. */
export const CODECS: { readonly [P in ProtocolName]: ProtocolCodec<P> } = {
  pms5003,
  ze07,
  mhz19b,
  mcu90640,
  mcu680,
};

/** Looks up a codec by a name that came from outside (a flag, a config file). */
export function codecFor(name: string): ProtocolCodec<ProtocolName> {
  const codec = (CODECS as Record<string, ProtocolCodec<ProtocolName> | undefined>)[name];
  if (codec === undefined) {
    throw new EmberError(
      'EMBER_ERR_UNKNOWN_PROTOCOL',
      `unknown protocol "${name}" (expected one of ${PROTOCOL_NAMES.join(', ')})`,
    );
  }
  return codec;
}
