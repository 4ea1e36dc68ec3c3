/**
 * The wire contract between a box and the hub: topics, message schemas, encoding and limits.
 * The one module of central/ that the box imports. Nothing clinical in the transport files
 * (topics, messages, codec, limits); records.ts says what the hub accepts inside a record.
 */
export * from './topics.ts';
export * from './limits.ts';
export * from './messages.ts';
export * from './status-v2.ts';
export * from './codec.ts';
export * from './records.ts';
export * from './storable.ts';
