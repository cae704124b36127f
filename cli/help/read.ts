/*
 * What `emberwatch read --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = 'print live readings from a real or emulated serial port';

/** The command's usage and options. */
export const usage = `emberwatch read --port PATH --protocol <pms5003|ze07|mhz19b|mcu90640|mcu680> [--baud B] [--count N]

Opens the port, sends the module's set-up commands (polls an MH-Z19B, puts a
GY-MCU90640 in continuous mode), and prints one JSON reading per line until
Ctrl-C or until N readings. Survives the port disappearing: it reopens with
backoff and says so on standard error.`;
