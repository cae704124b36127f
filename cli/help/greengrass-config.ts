/*
 * What `emberwatch greengrass-config --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = "write the agent's config from a Greengrass component configuration";

/** The command's usage and options. */
export const usage = `emberwatch greengrass-config --component FILE --thing-name NAME --endpoint HOST
                             --credentials DIR --state DIR --out FILE

What com.emberwatch.EdgeAgent's run step does before emberwatch edge (see
deploy/greengrass/recipe.yaml): reads the component configuration's agent
section (JSON: sensors, fleetPublicKeyPem, and optionally broker port,
protocol, flowControl and reconnect, alarm, status, telemetryIntervalS,
statusIntervalS, snapshotStore) and writes the agent's config to --out:
deviceId is the core device's thing name, the link uses the core's
certificate, key and root CA from --credentials (thingCert.crt, privKey.key,
rootCA.pem) and the IoT Core --endpoint with client id NAME#emberwatch
(the nucleus holds NAME), the outbox and models live in --state, the
shipped model runs from the first start, and the fleet key is written to
--credentials/fleet-public.pem. A bad component configuration names the
field, exit 2.`;
