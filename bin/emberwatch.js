#!/usr/bin/env node
// Thin launcher: the command line itself is compiled TypeScript in dist/.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
