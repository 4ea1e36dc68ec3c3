/** What the rest of the product uses of the hub. */
export { startHub, type Hub, type HubOptions } from './hub.ts';
export { loadHubConfig, parseHubConfig, hubConfigSchema, type HubConfig, type HubConfigInput } from './config.ts';
export { openHubDatabase, openMemoryHubDatabase, postgresHubDb, pgliteHubDb, type HubDb } from './storage/db.ts';
export { enrolDevice, revokeDevice, listDevices } from './fleet/devices.ts';
export { answerReferral, requestResend } from './downlink/downlink.ts';
