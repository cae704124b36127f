import { iot, mqtt } from 'aws-iot-device-sdk-v2';
import { credentialsOf, type ResolvedLinkSettings } from './link-settings.js';
import type { LastWill } from './mqtt-session.js';

/** aws-c-mqtt's MQTT 3.1.1 client counts reconnect delays in whole seconds, at least one. */
function seconds(ms: number): number {
  return Math.max(1, Math.round(ms / 1000));
}

/**
 * The SDK's MQTT 3.1.1 configuration (the embedded broker speaks nothing
 * else). Builds a TLS context, so it is called from start().
 */
export function buildMqtt311Config(
  settings: ResolvedLinkSettings,
  will: LastWill,
): mqtt.MqttConnectionConfig {
  const credentials = credentialsOf(settings);
  const builder =
    credentials.from === 'memory'
      ? iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(credentials.certPem, credentials.keyPem)
      : iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path(
          credentials.certPath,
          credentials.keyPath,
        );
  if (settings.caPem !== undefined) builder.with_certificate_authority(settings.caPem);
  else if (settings.caPath !== undefined)
    builder.with_certificate_authority_from_path(undefined, settings.caPath);
  const minSeconds = seconds(settings.reconnect.minMs);
  return builder
    .with_endpoint(settings.host)
    .with_port(settings.port)
    .with_client_id(settings.clientId ?? settings.deviceId)
    .with_clean_session(true)
    .with_keep_alive_seconds(settings.keepAliveSeconds)
    .with_ping_timeout_ms(settings.pingTimeoutMs)
    .with_protocol_operation_timeout_ms(settings.operationTimeoutSeconds * 1000)
    .with_reconnect_min_sec(minSeconds)
    .with_reconnect_max_sec(Math.max(minSeconds, seconds(settings.reconnect.maxMs)))
    .with_will(new mqtt.MqttWill(will.topic, mqtt.QoS.AtLeastOnce, will.payload, true))
    .build();
}
