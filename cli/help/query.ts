/*
 * What `emberwatch query --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = 'run SQL over the feature store locally with DuckDB';

/** The command's usage and options. */
export const usage = `emberwatch query "SQL" [--features DIR] [--format json|table|csv]

Runs one SQL statement with DuckDB over the view features, which reads every
Parquet file under DIR/features/ with the partitions class and run as
columns (see DIR/features/_schema.json for the rest). When DuckDB's sqlite
extension is installed, DIR/catalog.sqlite is attached as catalog; nothing
is downloaded.
  --features DIR  the folder holding features/ (default: the current folder
                  when it has one, else ./data/dataset)
  --format        json (one object per line, default), table or csv

Example: emberwatch query "SELECT class, count(*) AS n FROM features GROUP BY class"`;
