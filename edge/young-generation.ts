import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at the size it starts with (two 1 MB
 * semi-spaces) instead of letting it grow to 16 MB each under allocation
 * bursts, module loading included. The agent's live heap is under 30 MB,
 * and a grown young generation stays in its resident set; the cost is more
 * frequent, shorter minor collections.
 *
 * `--max-semi-space-size` is read only when the heap is set up, so a running
 * process cannot lower it; the growth factor is read at every growth, so
 * setting it from inside the process works, but only for growth still to
 * come: call this first thing, before the agent's modules are loaded
 * (`bin/emberwatch.js` does for `emberwatch edge`). It applies to the whole
 * process, so nothing that shares a process with other work calls it.
 */
export function capYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
