/*
 * What `emberwatch registry --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = 'list, show, approve and reject models in the model registry';

/** The command's usage and options. */
export const usage = `emberwatch registry list [--status S] [--json]
emberwatch registry show VERSION [--json]
emberwatch registry approve VERSION --reason TEXT [--by NAME] [--force] [--criteria FILE] [--json]
emberwatch registry reject VERSION --reason TEXT [--by NAME] [--json]
emberwatch registry rebuild
  (each also takes --registry DIR|file:///DIR|s3://BUCKET/PREFIX
   and --catalog FILE|postgres://…)

The model registry: models with their manifest, evaluation and decisions.
list prints a table, newest first (--json: one JSON line per model); show
prints one model's manifest, evaluation, decisions and experiments. approve
runs the gate against the current approved model and refuses, listing every
criterion and exit code 1, unless all pass; --force skips the gate and
--criteria FILE (JSON) changes its limits. reject also withdraws an approved
model. rebuild refills the catalogue from the store.
  --registry  where the objects live (default ./data/registry)
  --catalog   the SQLite catalogue (default REGISTRY/catalog.sqlite for a
              folder, ./data/registry-catalog.sqlite for S3: a local cache
              of the bucket; run rebuild to see other machines' changes),
              or the cloud's database (the config's database: URL), whose
              catalogue its workers share
  --by        who decides (default: the login name)`;
