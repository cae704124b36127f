/** Tiny benchmark harness: runs a body until enough time has passed and reports a rate. */
export interface Measurement {
  readonly name: string;
  readonly perSecond: number;
  readonly unit: string;
  readonly note?: string;
}

/**
 * Calls `body` (which does `unitsPerCall` units of work) repeatedly for at
 * least `minMs`, after a warm-up, and returns the best of `rounds` rates.
 */
export function measureRate(
  name: string,
  unit: string,
  unitsPerCall: number,
  body: () => void,
  { minMs = 400, rounds = 5 } = {},
): Measurement {
  for (let i = 0; i < 3; i++) body();
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    let calls = 0;
    const start = process.hrtime.bigint();
    let elapsedMs = 0;
    while (elapsedMs < minMs) {
      body();
      calls++;
      elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    }
    best = Math.max(best, (calls * unitsPerCall) / (elapsedMs / 1000));
  }
  return { name, perSecond: best, unit };
}

export function formatMeasurement(m: Measurement): string {
  const rate =
    m.perSecond >= 1e6
      ? `${(m.perSecond / 1e6).toFixed(2)} M`
      : `${Math.round(m.perSecond).toLocaleString('en')} `;
  return `${m.name.padEnd(48)} ${rate}${m.unit}/s${m.note === undefined ? '' : `  (${m.note})`}`;
}
