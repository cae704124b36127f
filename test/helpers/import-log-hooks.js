// Module hooks of import-log.js: appends each loaded module's URL to EMBERWATCH_IMPORT_LOG.
import { appendFileSync } from 'node:fs';

/** @type {(url: string, context: unknown, nextLoad: (url: string, context: unknown) => Promise<unknown>) => Promise<unknown>} */
export async function load(url, context, nextLoad) {
  const log = process.env['EMBERWATCH_IMPORT_LOG'];
  if (log !== undefined && log !== '') appendFileSync(log, `${url}\n`);
  return nextLoad(url, context);
}
