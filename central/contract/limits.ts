/**
 * Size limits, checked by both ends. A frame over the limit is refused before it is inflated or
 * parsed; inflation stops at MAX_INFLATED_BYTES, so a deflate bomb costs nothing.
 */
/** A frame on the wire (compressed). Mosquitto's default message_size_limit is far above this. */
export const MAX_FRAME_BYTES = 256 * 1024;
/** A frame's JSON after inflation. */
export const MAX_INFLATED_BYTES = 4 * 1024 * 1024;
/** Records in one uplink batch. */
export const MAX_BATCH_RECORDS = 1000;
/** One record's payload as JSON; a bigger one is parked on the box, never sent. */
export const MAX_RECORD_BYTES = 64 * 1024;
/** Medicines in one formulary update (a district list is a few hundred). */
export const MAX_FORMULARY_ITEMS = 2000;
/** Hospitals in one district hospital list (a district has tens; a province a few hundred). */
export const MAX_HOSPITAL_ITEMS = 1000;
/** Items in one downlink message. */
export const MAX_DOWNLINK_ITEMS = 200;
/**
 * An entity's version: PostgreSQL's `integer`, the column on both ends (the box's outbox and the
 * hub's records, entities and rejections). A version counts the edits of one record, so 2^31−1
 * is never reached by a real box; widening the hub's biggest table to bigint would rewrite it
 * for nothing.
 */
export const MAX_ENTITY_VERSION = 2 ** 31 - 1;
/**
 * Nesting of a record's payload (objects and arrays). The clinic's records nest 3 deep; the
 * limit is far above that and far below where PostgreSQL's jsonb parser runs out of stack
 * ("stack depth limit exceeded", measured at a few thousand levels).
 */
export const MAX_PAYLOAD_DEPTH = 32;
/**
 * One MQTT packet at the broker: a frame, its topic and the packet's headers. A bigger publish
 * disconnects the client before the broker buffers it (embedded broker and Mosquitto's
 * `max_packet_size`).
 */
export const MAX_MQTT_PACKET_BYTES = MAX_FRAME_BYTES + 4 * 1024;
