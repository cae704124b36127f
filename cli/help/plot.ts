/*
 * What `emberwatch plot --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = 'draw every channel of a run, its alarms and its hottest thermal frame as a PNG';

/** The command's usage and options. */
export const usage = `emberwatch plot RUN --out FILE.png [--data DIR|s3://BUCKET/PREFIX] [--seed S]
       emberwatch plot --list [--data DIR|s3://BUCKET/PREFIX]

Draws every channel of a run over time in stacked panels (PM, CO, CO₂,
temperature, humidity, gas resistance, IAQ, the thermal camera's hottest and
median pixel per frame, and the true smoke obscuration), marks the ignition
and each conventional detector's alarm, puts the frame with the hottest pixel
beside the chart, and prints {"out":…,"width":…,"height":…}.
  RUN          a run id of the dataset in --data (validated stage), or without
               --data a scenario template (tf4, normal-day, …) simulated here
  --out FILE   the PNG to write
  --data DIR   a dataset folder or s3:// URL
  --seed S     seed of a template run (default 1)
  --list       print the run ids of --data (with class and template), one a
               line, or without --data the templates`;
