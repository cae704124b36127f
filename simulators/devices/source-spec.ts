import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import {
  Co2Channels,
  CoChannels,
  EnvironmentChannels,
  ParticulateChannels,
  type ChannelsByProtocol,
  type ProtocolName,
} from '../../shared/schemas/readings.js';
import { renderThermalScene } from './thermal-scene.js';
import {
  CLEAN_ROOM_VALUES,
  constantSource,
  defaultSource,
  hotSpotRampSource,
  rampSource,
  type ScalarProtocol,
  type ValueSource,
} from './value-source.js';

const Channels = z.record(z.string(), z.number());

/**
 * A value source written in a kit file. Channel values are partial: channels
 * left out keep their clean-room value. For the MCU90640, `constant` takes
 * `background_c` (the whole scene) and `ambient_c`; `hot-spot` ramps a spot.
 */
export const SourceSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('default') }).strict(),
  z.object({ kind: z.literal('constant'), values: Channels }).strict(),
  z
    .object({ kind: z.literal('ramp'), from: Channels, to: Channels, durationS: z.number().positive() })
    .strict(),
  z
    .object({
      kind: z.literal('hot-spot'),
      fromC: z.number(),
      toC: z.number(),
      durationS: z.number().positive(),
      backgroundC: z.number().default(21),
      ambientC: z.number().default(25),
      x: z.number().min(0).max(31).default(16),
      y: z.number().min(0).max(23).default(12),
      radius: z.number().positive().default(2),
    })
    .strict(),
]);
export type SourceSpec = z.infer<typeof SourceSpec>;

const SCALAR_CHANNELS: { readonly [P in ScalarProtocol]: readonly string[] } = {
  pms5003: Object.keys(ParticulateChannels.shape),
  ze07: Object.keys(CoChannels.shape),
  mhz19b: Object.keys(Co2Channels.shape),
  mcu680: Object.keys(EnvironmentChannels.shape),
};
const THERMAL_CONSTANT_CHANNELS = ['background_c', 'ambient_c'];

function bad(message: string): EmberError {
  return new EmberError('EMBER_ERR_BAD_CONFIG', message);
}

function checkNames(
  values: Record<string, number>,
  allowed: readonly string[],
  protocol: ProtocolName,
): void {
  const unknown = Object.keys(values).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    throw bad(`unknown ${protocol} channel(s) ${unknown.join(', ')} (expected ${allowed.join(', ')})`);
  }
}

function scalarValues<P extends ScalarProtocol>(
  protocol: P,
  partial: Record<string, number>,
): ChannelsByProtocol[P] {
  checkNames(partial, SCALAR_CHANNELS[protocol], protocol);
  return { ...CLEAN_ROOM_VALUES[protocol], ...partial };
}

/** Builds the source a spec describes; EMBER_ERR_BAD_CONFIG when it does not fit `protocol`. */
export function sourceFromSpec<P extends ProtocolName>(
  protocol: P,
  spec: SourceSpec | undefined,
): ValueSource<P> {
  return buildSource(protocol, spec) as ValueSource<P>;
}

function buildSource(protocol: ProtocolName, spec: SourceSpec | undefined): ValueSource<ProtocolName> {
  if (spec === undefined || spec.kind === 'default') return defaultSource(protocol);
  if (protocol === 'mcu90640') {
    if (spec.kind === 'hot-spot') return hotSpotRampSource(spec);
    if (spec.kind === 'constant') {
      checkNames(spec.values, THERMAL_CONSTANT_CHANNELS, protocol);
      return constantSource<'mcu90640'>(
        renderThermalScene({
          backgroundC: spec.values['background_c'] ?? 21,
          ambientC: spec.values['ambient_c'] ?? 25.5,
        }),
      );
    }
    throw bad(`a ${spec.kind} source does not fit mcu90640 (use constant or hot-spot)`);
  }
  if (spec.kind === 'hot-spot') throw bad(`a hot-spot source only fits mcu90640, not ${protocol}`);
  if (spec.kind === 'constant') return constantSource(scalarValues(protocol, spec.values));
  return rampSource(scalarValues(protocol, spec.from), scalarValues(protocol, spec.to), spec.durationS);
}
