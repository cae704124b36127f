/*
 * What `emberwatch train --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = 'train, tune and export a fire model to ONNX';

/** The command's usage and options. */
export const usage = `emberwatch train --data DIR|s3://… --out DIR [--trials N] [--folds K] [--seed S] [--trees T]
    [--workers W]

Reads the feature store under DIR/features (written by \`emberwatch features\`)
or, without one, computes features from the dataset's validated runs; searches
hyperparameters (successive halving, cross-validated by run), sets the alarm
thresholds from out-of-fold traces so that no quiet run would have alarmed,
fits the final model and writes DIR/model.onnx, manifest.json and
experiments.json. On a terminal, a progress bar on standard error follows
the fits (trees fitted of all the search and the final fit will fit), and
only warnings are logged unless EMBERWATCH_LOG_LEVEL says otherwise.

  --workers  threads for the cross-validation fits (default: one per core;
             0 = this thread); the model is the same whatever the count`;
