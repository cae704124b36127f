import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings that keep the gateway agent's memory small, for a process
 * that runs the agent alone. V8 reads each of them as it goes, so a running
 * process can give them to itself; call this first thing, before the
 * agent's modules are loaded (`bin/emberwatch.js` does for `emberwatch
 * edge`), so they hold for all its code. Neither can come from
 * NODE_OPTIONS, which refuses V8's tiering flags.
 *
 * - The young generation keeps the size it starts with (two 1 MB
 *   semi-spaces) instead of growing to 16 MB each under allocation bursts,
 *   module loading included. The agent's live heap is under 30 MB, and a
 *   grown young generation stays in its resident set; the cost is more
 *   frequent, shorter minor collections. (`--max-semi-space-size` is read
 *   only when the heap is set up; the growth factor at every growth.)
 * - Hot code is compiled by the baseline compiler (Sparkplug) and goes no
 *   further: the optimising compilers (Maglev, TurboFan), their zones,
 *   feedback and optimised code cost 8–10 MB resident on Node 24, to speed
 *   up code the agent runs a few times a second per module. Its work per
 *   thermal frame costs about nine times the CPU without them, yet the
 *   whole agent stayed at 0.6–0.7 % of a core either way (bench/README.md).
 *   `--max-opt`, which says the same on the command line, is resolved into
 *   these two as V8 starts and does nothing later.
 */
export function leanV8(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--no-maglev');
  setFlagsFromString('--no-turbofan');
}
