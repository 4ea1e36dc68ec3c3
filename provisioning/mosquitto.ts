/**
 * Mosquitto's files for the fleet: written by the hub's own module (central/broker/mosquitto-files.ts),
 * which the hub also uses to regenerate them at a revocation; the CLI (`cli.ts mosquitto`) calls it.
 */
export * from '../central/broker/mosquitto-files.ts';
