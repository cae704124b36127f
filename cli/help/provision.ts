/*
 * What `emberwatch provision --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = 'issue a device (or claim) certificate from the local CA';

/** The command's usage and options. */
export const usage = `emberwatch provision --device ID --out DIR [--ca DIR] [--days N]
       emberwatch provision --claim NAME --out DIR [--ca DIR] [--days N]

Creates the local certificate authority in --ca (default ./data/ca) on first
use, then writes device.key (mode 0600), device.crt (CN = ID, role device)
and ca.crt into --out, and prints one JSON line {deviceId, certificate, key,
ca} with their paths. ID is the IoT thing name: 1-64 characters of
A-Z a-z 0-9 _ - :. The device must connect with ID as its MQTT client id.
Running it again for the same device and --out reuses the files.

With --claim, writes claim.key and claim.crt (role claim) instead: the
certificate a batch of devices ships with, which lets a device do nothing
but get its own certificate and thing name from the broker's fleet
provisioning (emberwatch claim). An existing claim.key is never replaced.`;
