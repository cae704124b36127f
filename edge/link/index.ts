/** The edge's MQTT link to AWS IoT Core, the embedded broker or mosquitto. */
export { IotLink, type IotLinkEvents, type IotLinkOptions } from './iot-link.js';
export {
  LinkSettings,
  resolveLinkSettings,
  type LinkProtocol,
  type LinkSettingsInput,
  type ResolvedLinkSettings,
} from './link-settings.js';
export { LinkStatus } from './link-status.js';
export { CONTENT_TYPE, MESSAGE_ID_PROPERTY, type MqttSession, type SessionEvents } from './mqtt-session.js';
