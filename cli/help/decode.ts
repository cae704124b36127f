/*
 * What `emberwatch decode --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = 'decode raw serial bytes of one module into JSON lines';

/** The command's usage and options. */
export const usage = `emberwatch decode --protocol <pms5003|ze07|mhz19b|mcu90640|mcu680> [--in FILE]

Reads raw bytes (standard input by default) and prints one JSON object per
valid frame, channels at the top level, then a last line
{"stats":{"frames":N,"checksumErrors":K,"droppedBytes":M}}. Garbage in the
input is data: it is counted, never an error.`;
