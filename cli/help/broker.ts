/*
 * What `emberwatch broker --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

import { FLEET_TEMPLATE_NAME } from '../../shared/fleet-provisioning-topics.js';

/** One line for the list of commands. */
export const summary = 'run the embedded MQTT broker (mutual TLS, per-device topics)';

/** The command's usage and options. */
export const usage = `emberwatch broker [--port P] [--host H] [--ca DIR] [--data DIR] [--max-packet-bytes N]
                  [--publishes-per-second R] [--bytes-per-second B]
                  [--provisioning-template FILE]

Runs an MQTT 3.1.1 broker over TLS that accepts only clients with a
certificate from the local CA in --ca (default ./data/ca, created on first
use). Devices may use only their own emberwatch/v1/{deviceId}/ topics and
must connect with their device id as client id; services may use all of
emberwatch/v1/. The broker's certificate is kept in --data (default
./data/broker). Listens on --host (default 127.0.0.1) and --port (default
8883; 0 picks a free port), prints one JSON line {url, port, ca} once
listening, and runs until interrupted. Each device connection may send
packets of at most --max-packet-bytes (default 65536: a larger one closes
the connection when its header arrives, before its body is read),
--publishes-per-second (default 100) and --bytes-per-second (default
524288); a faster device is slowed down, not dropped. Services may send
packets up to 256 KiB at any rate.

Fleet provisioning: a client with a claim certificate (emberwatch provision
--claim) may use IoT Core's fleet provisioning MQTT API and nothing else:
CreateKeysAndCertificate, CreateCertificateFromCsr and RegisterThing through
the template ${FLEET_TEMPLATE_NAME} (the package's
deploy/aws/fleet-provisioning-template.json, or --provisioning-template
FILE). The things and certificates it makes are kept in --data/things.json;
a certificate connects as its thing once registered (emberwatch claim).`;
