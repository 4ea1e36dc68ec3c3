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
/** Items in one downlink message. */
export const MAX_DOWNLINK_ITEMS = 200;
