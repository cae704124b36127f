/**
 * Largest MQTT packet a device may send, header included: the embedded
 * broker's default (a larger packet closes the connection at its header).
 * Half IoT Core's 128 KB payload limit, so a device that keeps under it
 * keeps under both.
 */
export const DEVICE_MAX_PACKET_BYTES = 64 * 1024;

/**
 * Room kept in a device packet for everything besides the payload: the fixed
 * header (5 bytes at most), the topic (2 + at most ~110 bytes for ours), the
 * packet id and MQTT 5 properties (the message id as a user property).
 */
export const PUBLISH_HEADER_ROOM_BYTES = 1024;

/** Largest payload a device publishes: what fits one packet under {@link DEVICE_MAX_PACKET_BYTES}. */
export const DEVICE_MAX_PAYLOAD_BYTES = DEVICE_MAX_PACKET_BYTES - PUBLISH_HEADER_ROOM_BYTES;
