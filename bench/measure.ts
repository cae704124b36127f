/**
 * Calls `body` (which does `unitsPerCall` units of work) repeatedly for at
 * least `minMs` per round, after a warm-up, and returns the rate of every
 * round (units per second): the figure is their median and spread, never
 * the best round.
 */
export function rateRounds(
  unitsPerCall: number,
  body: () => void,
  { minMs = 400, rounds = 5 } = {},
): number[] {
  for (let i = 0; i < 3; i++) body();
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let calls = 0;
    const start = process.hrtime.bigint();
    let elapsedMs = 0;
    while (elapsedMs < minMs) {
      body();
      calls++;
      elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    }
    rates.push((calls * unitsPerCall) / (elapsedMs / 1000));
  }
  return rates;
}
