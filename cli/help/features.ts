/*
 * What `emberwatch features --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = "compute every run's features and store them as Parquet, partitioned by class and run";

/** The command's usage and options. */
export const usage = `emberwatch features --data DIR|s3://BUCKET/PREFIX [--out DIR] [--stage validated|raw] [--workers W]

Computes the features of every run of a dataset with the pipeline the edge
runs (one row per second) and writes them as Parquet files an SQL engine
such as Athena or DuckDB can read:
  <out>/features/class=<fire|nuisance|normal>/run=<runId>/data.parquet
  <out>/features/_schema.json   (columns, feature names and feature-set version)
Columns: run_id, class, fire_class, nuisance, template, t_s, fire, ignition_s,
then one FLOAT per feature; a missing feature is NULL. Prints
{"runs":…,"rows":…,"files":…,"out":…}.
  --data      the dataset: a folder or an s3:// URL
  --out       local folder for features/ (default: the dataset folder; for an
              s3:// dataset a scratch folder); s3:// datasets also get a copy
              under features/ in the bucket
  --stage     which runs: validated (default) or raw
  --workers   threads computing features (default: one per core; 0 = none)`;
