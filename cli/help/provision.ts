/*
 * What `emberwatch provision --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = 'issue a device certificate from the local CA';

/** The command's usage and options. */
export const usage = `emberwatch provision --device ID --out DIR [--ca DIR] [--days N]

Creates the local certificate authority in --ca (default ./data/ca) on first
use, then writes device.key (mode 0600), device.crt (CN = ID, role device)
and ca.crt into --out, and prints one JSON line {deviceId, certificate, key,
ca} with their paths. ID is the IoT thing name: 1-64 characters of
A-Z a-z 0-9 _ - :. The device must connect with ID as its MQTT client id.
Running it again for the same device and --out reuses the files.`;
