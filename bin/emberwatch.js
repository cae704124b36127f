#!/usr/bin/env node
/* global setTimeout */
// Thin launcher: the command line itself is compiled TypeScript in dist/.
import { restartLean } from '../dist/edge/lean-process.js';
import { leanV8 } from '../dist/edge/lean-v8.js';

// The gateway agent alone in its process: start again once with the lean malloc and thread-pool
// settings (unless chosen already), then set V8 up for a small heap before anything loads.
if (process.argv[2] === 'edge') {
  restartLean();
  leanV8();
}
const { main } = await import('../dist/cli/main.js');

process.exitCode = await main(process.argv.slice(2));
// The command is done: whatever handle is still open (a socket, a timer) must not keep the process
// alive, or a supervisor waits on a process that failed. Unref'd: a clean exit happens before it fires.
setTimeout(() => process.exit(), 3000).unref();
