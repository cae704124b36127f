#!/usr/bin/env node
// Thin launcher: the command line itself is compiled TypeScript in dist/.
import { capYoungGeneration } from '../dist/edge/young-generation.js';

// The gateway agent alone in its process: keep V8's young generation small before anything loads.
if (process.argv[2] === 'edge') capYoungGeneration();
const { main } = await import('../dist/cli/main.js');

process.exitCode = await main(process.argv.slice(2));
