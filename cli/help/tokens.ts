/*
 * What `emberwatch tokens --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = 'list, create and revoke API tokens for scripts';

/** The command's usage and options. */
export const usage = `emberwatch tokens list [--json]
emberwatch tokens create --name NAME --role ROLE [--expires-days D] [--json]
emberwatch tokens revoke ID
  (each also takes --config FILE, the cloud's configuration, or --data DIR,
   its data folder; default ./data/cloud)

API tokens for scripts: send one as "Authorization: Bearer ewt_…". create
prints the token once; only its SHA-256 is kept, so it cannot be shown
again. ROLE is viewer, operator or admin (as for users); --expires-days
makes it stop working after D days. revoke stops a token at once. In the
audit log a token's actions appear as token:NAME. Safe to run beside a
running cloud.`;
