/*
 * What `emberwatch claim --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

import { FLEET_TEMPLATE_NAME } from '../../shared/fleet-provisioning-topics.js';

/** One line for the list of commands. */
export const summary = "get this device's own certificate and thing name with its claim certificate";

/** The command's usage and options. */
export const usage = `emberwatch claim --endpoint HOST[:PORT] --claim-cert FILE --claim-key FILE --out DIR
                 [--ca FILE] [--serial S] [--param NAME=VALUE]... [--template NAME]
                 [--client-id ID] [--timeout-s N]

Fleet provisioning by claim, through IoT Core's MQTT API (the embedded
broker serves the same API): connects with the claim certificate, makes a
key pair here, has a certificate made for it (CreateCertificateFromCsr) and
registers it through --template (default ${FLEET_TEMPLATE_NAME}) with the
template's parameters: --serial S is --param SerialNumber=S. Writes
device.key (0600), device.crt, the --ca file as ca.crt, and device.json
{thingName, certificateId} into --out, then prints one JSON line
{thingName, certificate, key}: put thingName in the agent's deviceId.
--endpoint is IoT Core's data endpoint (port 8883), whose CA is in the
system store, or the embedded broker with --ca. --client-id (default the
serial) is the MQTT client id while claiming. Existing files in --out are
never replaced. A refusal names the step and the broker's reason, exit 1.`;
