import { io, iot, mqtt } from 'aws-iot-device-sdk-v2';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopics } from '../shared/topics.js';
import { startBrokerFixture, type BrokerFixture } from './helpers/broker.js';
import { waitFor } from './helpers/wait.js';

let fixture: BrokerFixture;

beforeAll(async () => {
  fixture = await startBrokerFixture();
});

afterAll(async () => {
  await fixture.stop();
});

/**
 * The connection the edge agent makes to AWS IoT Core, pointed at the embedded
 * broker: the SDK's MQTT 3.1.1 client (aedes speaks 3.1.1 only) with mutual
 * TLS, client id = thing name, clean session.
 */
function sdkConnection(
  deviceId: string,
  identity: { keyPem: string; certPem: string },
  endpoint: string,
): mqtt.MqttClientConnection {
  const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(identity.certPem, identity.keyPem)
    .with_certificate_authority(fixture.pki.ca.certPem)
    .with_endpoint(endpoint)
    .with_port(fixture.broker.port)
    .with_client_id(deviceId)
    .with_clean_session(true)
    .with_keep_alive_seconds(30)
    .with_ping_timeout_ms(3000)
    .build();
  return new mqtt.MqttClient(new io.ClientBootstrap()).new_connection(config);
}

describe('aws-iot-device-sdk-v2 against the embedded broker', () => {
  it('connects with mutual TLS and gets a PUBACK for a QoS 1 publish that a service receives', async () => {
    const service: MqttClient = await fixture.connect(await fixture.pki.service('analysis'), {
      clientId: 'analysis',
    });
    const messages: string[] = [];
    service.on('message', (_topic, payload) => messages.push(payload.toString('utf8')));
    await service.subscribeAsync('emberwatch/v1/+/telemetry', { qos: 1 });

    const connection = sdkConnection('gw-sdk', await fixture.pki.device('gw-sdk'), '127.0.0.1');
    try {
      const sessionPresent = await connection.connect();
      expect(sessionPresent).toBe(false);
      // For QoS 1 the SDK resolves the publish only when the PUBACK arrives.
      const request = await connection.publish(
        deviceTopics('gw-sdk').telemetry,
        '{"n":1}',
        mqtt.QoS.AtLeastOnce,
      );
      expect(request.packet_id).toBeGreaterThan(0);
      await waitFor('telemetry at the service', () => messages.length > 0);
      expect(messages).toEqual(['{"n":1}']);
    } finally {
      await connection.disconnect();
    }
    expect(fixture.logs).toContainEqual(
      expect.objectContaining({ msg: 'client connected', deviceId: 'gw-sdk' }),
    );
  });

  it('is refused when its client id is not the thing name on its certificate', async () => {
    const connection = sdkConnection('gw-other', await fixture.pki.device('gw-sdk'), '127.0.0.1');
    try {
      // aws-c-mqtt surfaces the refused CONNACK as a failed connect, not as a return code.
      await expect(connection.connect()).rejects.toThrow(/Failed to connect/);
    } finally {
      await connection.disconnect().catch(() => undefined);
    }
    expect(fixture.logs).toContainEqual(
      expect.objectContaining({
        msg: 'connection refused',
        deviceId: 'gw-sdk',
        clientId: 'gw-other',
        reason: 'client id differs from the certificate CN',
      }),
    );
  });
});
