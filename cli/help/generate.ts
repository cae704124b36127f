/*
 * What `emberwatch generate --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = 'generate a synthetic dataset of fire, nuisance and normal runs';

/** The command's usage and options. */
export const usage = `emberwatch generate --out DIR|s3://BUCKET/PREFIX --runs N --seed S
    [--mix fire=0.4,nuisance=0.4,normal=0.2] [--duration SECONDS] [--workers W] [--thermal-hz HZ]

Simulates N runs in parallel (W worker threads, default: one per core),
stores raw thermal, gas and environmental data, validates every run, copies
accepted runs to validated/, and writes catalog.sqlite, reports/validation.json
and manifest.json. The same seed gives the same dataset whatever W is.
  --duration     length of every run (default: each scenario's own)
  --thermal-hz   thermal frame rate stored: 0.5, 1, 2 (default), 4, 8 or 16
S3 targets read EMBERWATCH_S3_ENDPOINT, AWS_REGION and AWS_* credentials.`;
