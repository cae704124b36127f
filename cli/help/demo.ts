/*
 * What `emberwatch demo --help` prints, and its line in `emberwatch --help`:
 * kept apart from the command so that help never loads the command's modules.
 */

/** One line for the list of commands. */
export const summary = 'the whole system on one machine (run by npm start)';

/** The command's usage and options. */
export const usage = `emberwatch demo [--devices N] [--port P] [--duration S] [--speed X] [--rollout-after S]
                [--broker-port P] [--data DIR] [--socat PATH]

Starts the embedded MQTT broker with mutual TLS (certificates are made on
first run in DIR, default ./data/demo), N simulated gateways (default 3),
each a real edge agent reading emulated serial modules that play fires and
nuisances X times faster than life (default 10), and the cloud: analysis,
response, learning, fleet rollout, the API and the dashboard on
http://127.0.0.1:P (default 8080; 0 picks a free port). The first gateway
plays a flaming fire that ignites within the first minute. After S seconds
(default 90; 0 never) the demo approves a second release of the model and
rolls it out, canary first. Webhook calls go to a local pager printed here.
The first run makes a dashboard user "operator" and prints its password
(kept in DIR/operator-login.txt, printed again on every run). Incidents a
previous run left open are resolved (outcome unknown) at start: each run
replays the gateways from a quiet room, so its first fire pages again.
The gateways' serial lines are pseudo-terminals made by socat (--socat
PATH, else $EMBERWATCH_SOCAT, else socat on the PATH), or run in process
when there is no socat; the demo says which.
Runs until Ctrl-C, or for --duration seconds.`;
