/*
 * What `emberwatch edge --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = 'run the edge agent: sensors → features → model → alarms → outbox → MQTT';

/** The command's usage and options. */
export const usage = `emberwatch edge --config FILE

Runs the edge agent described by FILE (see edge/config/example.yaml):
JSON if its name ends in .json, YAML if in .yaml or .yml, otherwise JSON
when it starts with "{" and YAML when not. Environment overrides:
EMBERWATCH_DEVICE_ID, EMBERWATCH_BROKER_HOST, EMBERWATCH_BROKER_PORT,
EMBERWATCH_MODEL_DIR, EMBERWATCH_STATUS_PORT, and
EMBERWATCH_HOME_ASSISTANT_PASSWORD (the password of the homeAssistant
section's broker, kept out of the file). Prints one JSON line
{deviceId, status} once started (status is the URL of /healthz and
/metrics) and runs until interrupted. A bad config file (an unknown key
included), or a certificate, key or fleet key it names that is missing
or of the wrong kind, is one line naming the field and the file, exit 2.`;
