import { iot, mqtt5 } from 'aws-iot-device-sdk-v2';
import { credentialsOf, type ResolvedLinkSettings } from './link-settings.js';
import { CONTENT_TYPE, type LastWill } from './mqtt-session.js';

/**
 * The SDK's MQTT 5 configuration for IoT Core, mosquitto or any MQTT 5 broker
 * with mutual TLS. Builds a TLS context (reads the files when given paths),
 * so it is called from start(), never from a constructor.
 */
export function buildMqtt5Config(settings: ResolvedLinkSettings, will: LastWill): mqtt5.Mqtt5ClientConfig {
  const credentials = credentialsOf(settings);
  const builder =
    credentials.from === 'memory'
      ? iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithMtlsFromMemory(
          settings.host,
          credentials.certPem,
          credentials.keyPem,
        )
      : iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithMtlsFromPath(
          settings.host,
          credentials.certPath,
          credentials.keyPath,
        );
  if (settings.caPem !== undefined) builder.withCertificateAuthority(settings.caPem);
  else if (settings.caPath !== undefined)
    builder.withCertificateAuthorityFromPath(undefined, settings.caPath);
  return (
    builder
      .withPort(settings.port)
      .withConnectProperties({
        clientId: settings.clientId ?? settings.deviceId,
        keepAliveIntervalSeconds: settings.keepAliveSeconds,
        will: {
          topicName: will.topic,
          qos: mqtt5.QoS.AtLeastOnce,
          payload: will.payload,
          retain: true,
          contentType: CONTENT_TYPE,
        },
      })
      .withSessionBehavior(mqtt5.ClientSessionBehavior.Clean)
      .withRetryJitterMode(mqtt5.RetryJitterType.Full)
      .withMinReconnectDelayMs(settings.reconnect.minMs)
      .withMaxReconnectDelayMs(settings.reconnect.maxMs)
      // Without this the client queues publishes while offline and the drainer would wait on them.
      .withOfflineQueueBehavior(mqtt5.ClientOperationQueueBehavior.FailAllOnDisconnect)
      .withPingTimeoutMs(settings.pingTimeoutMs)
      .withAckTimeoutSeconds(settings.operationTimeoutSeconds)
      .withExtendedValidationAndFlowControlOptions(
        settings.flowControl === 'none'
          ? mqtt5.ClientExtendedValidationAndFlowControl.None
          : mqtt5.ClientExtendedValidationAndFlowControl.AwsIotCoreDefaults,
      )
      .build()
  );
}
