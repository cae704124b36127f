import { z } from 'zod';
import { parseConfigSection } from '../../shared/config/config-file.js';
import { AgentConfig, type AgentConfigInput } from './agent-config.js';

/**
 * The component configuration of com.emberwatch.EdgeAgent's `agent` key: the
 * agent's own config minus what the core device decides (its thing name,
 * IoT Core endpoint, certificate and where state lives). Strict, like the
 * agent's config file.
 */
export const GreengrassAgentSection = z.strictObject({
  sensors: z.array(z.unknown()).min(1),
  broker: z
    .strictObject({
      port: z.unknown().optional(),
      protocol: z.unknown().optional(),
      flowControl: z.unknown().optional(),
      reconnect: z.unknown().optional(),
    })
    .prefault({}),
  /** The fleet's Ed25519 public key (PEM) that signs model offers; written beside the credentials. */
  fleetPublicKeyPem: z
    .string()
    .regex(/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/, 'a PEM public key'),
  alarm: z.unknown().optional(),
  status: z.unknown().optional(),
  telemetryIntervalS: z.unknown().optional(),
  statusIntervalS: z.unknown().optional(),
  snapshotStore: z.unknown().optional(),
});
export type GreengrassAgentSection = z.output<typeof GreengrassAgentSection>;

/** What the core device provides, from the recipe's variables. */
export interface GreengrassCore {
  readonly thingName: string;
  /** The nucleus's `iotDataEndpoint`. */
  readonly endpoint: string;
  /** The folder the install step copied the core's certificate, key and root CA into. */
  readonly credentialsDir: string;
  /** Where the agent keeps its outbox and models (in the component's work folder). */
  readonly stateDir: string;
  /** Where the fleet key goes. */
  readonly fleetKeyPath: string;
}

/** The MQTT client id beside the nucleus, which holds the bare thing name. */
export function greengrassClientId(thingName: string): string {
  return `${thingName}#emberwatch`;
}

/**
 * Maps the component's configuration onto the agent's config: the thing
 * name is the device id, the link uses the core device's certificate and
 * IoT Core endpoint under its own client id, the shipped model runs from
 * the first start. Throws EMBER_ERR_BAD_CONFIG naming the field (under
 * `agent.`) for a bad component configuration. Pure.
 */
export function agentConfigForGreengrass(
  component: unknown,
  core: GreengrassCore,
): { config: AgentConfig; fleetPublicKeyPem: string } {
  const { agent: section } = parseConfigSection(z.object({ agent: GreengrassAgentSection }), {
    agent: component,
  });
  const { fleetPublicKeyPem, broker, ...rest } = section;
  const input = {
    ...rest,
    deviceId: core.thingName,
    broker: {
      ...broker,
      host: core.endpoint,
      clientId: greengrassClientId(core.thingName),
      caPath: `${core.credentialsDir}/rootCA.pem`,
      certPath: `${core.credentialsDir}/thingCert.crt`,
      keyPath: `${core.credentialsDir}/privKey.key`,
    },
    model: { dir: `${core.stateDir}/models`, fleetPublicKeyPath: core.fleetKeyPath, initial: 'shipped' },
    outbox: { path: `${core.stateDir}/outbox.db` },
  } as AgentConfigInput;
  const { agent: config } = parseConfigSection(z.object({ agent: AgentConfig }), { agent: input });
  return { config, fleetPublicKeyPem };
}
