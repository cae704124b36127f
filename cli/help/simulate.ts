/*
 * What `emberwatch simulate --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** The usage of `emberwatch simulate validate`, also the end of `simulate --help`. */
export const validateUsage = `emberwatch simulate validate --real DIR [--out DIR] [--json] [--calibrate]

Simulates the NIST home smoke alarm tests position by position (the house,
each test's heat release, each position's route from the fire) and compares
with what was measured there: time to +2, +5 and +10 °C, smoke arrival,
the temperature rise 120 and 180 s after ignition and the CO₂ rise. Prints
one row per position (measured/simulated) and how many checks are within
tolerance.
  --real DIR     the folder of replay CSVs and alarms.csv (recordings/nist-home-smoke-alarms)
  --out DIR      also write one PNG per test (TEST.png), measured against simulated
  --json         one JSON document instead of the table
  --calibrate    search the route constants again and print what fits best`;

/** One line for the list of commands. */
export const summary =
  'run emulated sensor modules on pseudo-terminals, play a run through them, or check the simulator against real fires';

/** The command's usage and options. */
export const usage = `emberwatch simulate devices [--kit FILE] [--run-dir DIR] [--speed X]
emberwatch simulate devices --scenario NAME|RUN [--seed S] [--data DIR|s3://…] [--speed X] [--run-dir DIR]

Starts one emulator per device of the kit (default: one of each module) on
its own pseudo-terminal and prints one JSON line per device:
{"id":…,"protocol":…,"path":"/…/ID.tty","baud":…}. Point the edge or
\`emberwatch read\` at the path. Runs until Ctrl-C.

With --scenario, plays a run instead: each module sends what the run says it
reported at emulated time t = speed × real seconds since start. When the run
ends the modules fall silent, the command prints {"ended":true}, stops them
and exits 0.
  --kit FILE       a kit file: {"devices":[{"id","protocol","baud"?,"source"?}]}
  --scenario NAME  a scenario template (tf4, normal-day, …), simulated here for
                   the template's duration; with --data, a run id of that
                   dataset's validated stage
  --seed S         seed of a template run (default 1)
  --data DIR       a dataset folder or s3:// URL holding the run
  --run-dir DIR    where the tty links go (default: a temporary folder)
  --speed X        emulated seconds per real second (default 1)

${validateUsage}`;

/** Sub-actions with a usage of their own. */
export const subcommandUsage: Readonly<Record<string, string>> = { validate: validateUsage };
