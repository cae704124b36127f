/*
 * What `emberwatch replay --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary =
  'replay recorded sensor values from a CSV through the model and print each alarm change';

/** The command's usage and options. */
export const usage = `emberwatch replay --input FILE.csv --model DIR|rules [--policy FILE.json]

Reads a CSV whose header is t_s (seconds, required, rows in time order) and
any of temp_c, humidity_pct, co_ppm, co2_ppm, pm25_ugm3, pm10_ugm3; an empty
cell is a value not read then. Computes features once a second from the
first t_s to the last, as the edge does (a sensor the CSV lacks counts as
absent), runs the model and the alarm state machine, and prints one JSON
line per change of alarm level: {"t_s":…,"level":…,"probability":…}.
  --model   a model folder (verified as a device would) or rules
  --policy  an alarm policy (JSON) instead of the model's own`;
