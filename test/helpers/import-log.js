// Loaded with `node --import` by tests: records the URL of every module the process loads, one a
// line, in the file EMBERWATCH_IMPORT_LOG names. The hooks run on a thread of their own.
import { register } from 'node:module';

register('./import-log-hooks.js', import.meta.url);
