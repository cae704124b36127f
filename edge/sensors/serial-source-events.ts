import type { DecodeStats } from '../../shared/protocols/frame-scanner.js';
import type { ProtocolName, ReadingOf } from '../../shared/schemas/readings.js';

/**
 * 'opening' first attempt; 'open' frames may flow; 'stale' open but no valid
 * frame for `staleAfterMs`; 'reconnecting' line lost or not openable, retrying;
 * 'closed' stopped.
 */
export type SerialSourceState = 'opening' | 'open' | 'stale' | 'reconnecting' | 'closed';

export interface SerialSourceStats extends DecodeStats {
  /** Times the line came back after being lost or failing to open. */
  reconnects: number;
  bytesReceived: number;
}

/** Counts of what one chunk of bytes cost, with the running totals. */
export interface FrameErrorEvent {
  readonly checksumErrors: number;
  readonly droppedBytes: number;
  readonly stats: SerialSourceStats;
}

export interface SerialSourceEvents<P extends ProtocolName> {
  reading: [reading: ReadingOf<P>];
  state: [state: SerialSourceState];
  'error-frame': [event: FrameErrorEvent];
}
