/*
 * What `emberwatch evaluate --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary =
  'score a model on every validated run of a held-out dataset against conventional detectors';

/** The command's usage and options. */
export const usage = `emberwatch evaluate --model DIR|rules --data DIR|s3://BUCKET/PREFIX
    [--json] [--report FILE.html] [--workers W]
emberwatch evaluate --model DIR|rules --real DIR [--json]

Runs every validated run of the dataset through the edge's path (features
once a second, the model, the alarm state machine) and compares the model's
alarms with the conventional smoke, heat, rate-of-rise and CO detectors of
the same runs. Use a dataset generated with seeds never used in training.
Prints a table per fire class and per nuisance kind and writes an HTML
report with charts; with --json prints one JSON document instead (the
registry's EvaluationSummary, plus "details").
With --real, replays every recording of a real-fire folder (replay CSVs named
TEST_POSITION.csv beside an alarms.csv of test, position, ignition_s,
first_photoelectric_s, first_ionization_s) and prints per position the first
heads-up and high beside ignition and the real alarms there.
  --model    a model folder (manifest.json + model file, verified) or rules
  --real     a real-fire folder, instead of --data
  --report   the HTML report (default MODEL/evaluation.html; for the
             shipped model or rules, data/evaluation-VERSION.html here, so
             that nothing is written into what Emberwatch ships); with
             --json only when given
  --workers  worker threads (default: one per core; 0 = this thread)`;
