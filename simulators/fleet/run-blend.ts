import type { ChannelsByProtocol, ProtocolName, ThermalChannels } from '../../shared/schemas/readings.js';

/**
 * How one run hands over to the next on a gateway. Every run is simulated
 * from a quiet start, so without a handover the modules would jump at the
 * boundary from wherever the last run left the room (a hot toaster in view,
 * a few people's CO₂) to the next run's first second: a step no real room
 * takes, and one the features read as a sudden rise. During the next run's
 * lead-in both runs play and each module's report moves smoothly from the
 * one to the other.
 */

/** Weight of the incoming run `fraction` (0-1) of the way through a lead-in: smooth at both ends. */
export function handoverWeight(fraction: number): number {
  const f = Math.min(1, Math.max(0, fraction));
  return f * f * (3 - 2 * f);
}

const mix = (a: number, b: number, w: number): number => a + (b - a) * w;

/** Mixes two reports channel by channel; channels that are whole numbers in both stay whole. */
function blendScalars(
  outgoing: Readonly<Record<string, unknown>>,
  incoming: Readonly<Record<string, unknown>>,
  w: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...incoming };
  for (const [name, b] of Object.entries(incoming)) {
    const a = outgoing[name];
    if (typeof a !== 'number' || typeof b !== 'number') continue;
    const value = mix(a, b, w);
    out[name] = Number.isInteger(a) && Number.isInteger(b) ? Math.round(value) : value;
  }
  return out;
}

function blendFrames(outgoing: ThermalChannels, incoming: ThermalChannels, w: number): ThermalChannels {
  if (outgoing.width !== incoming.width || outgoing.height !== incoming.height) {
    return w < 0.5 ? outgoing : incoming;
  }
  return {
    width: incoming.width,
    height: incoming.height,
    pixels_c: incoming.pixels_c.map((b, i) => mix(outgoing.pixels_c[i] ?? b, b, w)),
    ambient_c: mix(outgoing.ambient_c, incoming.ambient_c, w),
  };
}

/**
 * What module `protocol` reports `w` (0-1) of the way from the outgoing
 * run's report to the incoming one's. A module silent in one run (a dropout)
 * reports the other's value; silent in both, it stays silent.
 */
export function blendReports<P extends ProtocolName>(
  protocol: P,
  outgoing: ChannelsByProtocol[P] | undefined,
  incoming: ChannelsByProtocol[P] | undefined,
  w: number,
): ChannelsByProtocol[P] | undefined {
  if (outgoing === undefined || w >= 1) return incoming;
  if (incoming === undefined || w <= 0) return outgoing;
  if (protocol === 'mcu90640') {
    // P is 'mcu90640' here; TypeScript cannot narrow a generic through the check.
    return blendFrames(
      outgoing as ThermalChannels,
      incoming as ThermalChannels,
      w,
    ) as unknown as ChannelsByProtocol[P];
  }
  return blendScalars(outgoing, incoming, w) as unknown as ChannelsByProtocol[P];
}
