/*
 * What `emberwatch cloud --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = 'run the cloud: ingest, analysis, response, learning, rollout, API and dashboard';

/** The command's usage and options. */
export const usage = `emberwatch cloud --config FILE

Runs the cloud process described by FILE (see cloud/config/example.yaml;
JSON if its name ends in .json, YAML if in .yaml or .yml, otherwise JSON
when it starts with "{"; relative paths resolve against FILE's folder).
Connects to the broker with the service certificate of broker.certPath
(MQTT 5, or 3.1.1 when the broker speaks nothing newer) and reads every
device's anomaly, telemetry, status and model/report messages.
Environment overrides: EMBERWATCH_BROKER_HOST, EMBERWATCH_BROKER_PORT,
EMBERWATCH_BROKER_PROTOCOL, EMBERWATCH_BROKER_SHARED_GROUP,
EMBERWATCH_CLOUD_DATA_DIR, EMBERWATCH_CLOUD_HTTP_HOST,
EMBERWATCH_CLOUD_HTTP_PORT, EMBERWATCH_CLOUD_PUBLIC_URL.
Prints one JSON line {cloud, broker, url} once started and runs until
interrupted (SIGINT, SIGTERM); a process that has not stopped within
EMBERWATCH_STOP_TIMEOUT_S (10 s) of the signal, or gets a second one, exits
anyway. A bad config file (an unknown key included), or a CA, certificate,
key or fleet key it names that is missing, unreadable or of the wrong kind,
is one line naming the field and the file, exit 2. A fatal start-up problem
(a device's certificate as the service certificate, the HTTP port taken, no
broker within broker.startTimeoutS, 5 s by default) is one line and exit 1
within seconds. Files are created owner-only. Users and API tokens:
emberwatch users, emberwatch tokens. GET /healthz answers while the process
lives; GET /readyz only while the broker session is up and the stores are
open.`;
