/*
 * What `emberwatch users --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = 'list, add, change and remove the people who sign in to the dashboard';

/** The command's usage and options. */
export const usage = `emberwatch users list [--json]
emberwatch users add NAME --role ROLE [--password-stdin] [--json]
emberwatch users set NAME [--role ROLE] [--password-stdin] [--disable | --enable]
emberwatch users remove NAME
  (each also takes --config FILE, the cloud's configuration, or --data DIR,
   its data folder; default ./data/cloud)

People who sign in to the dashboard. ROLE is viewer (reads everything),
operator (also acknowledges and resolves incidents: an outcome can change a
device's sensitivity) or admin (also approves models, rolls them out and
manages users and API tokens). add makes a password of 24 random characters
and prints it once, unless --password-stdin reads one (12 characters or
more) from the first line of standard input. set changes the role, the
password or whether the account may sign in; a new password or --disable
ends the user's sessions. Every change is in the audit log as cli:<login>.
Safe to run beside a running cloud.`;
