/**
 * Which part of Simpul may import which. Checked by test/architecture.test.ts (so `npm test`
 * fails on a wrong import) and by hand with `npm run check:boundaries`.
 *
 * The parts: appliance/ (the box), central/ (the hub; central/contract is the wire contract both
 * sides speak), provisioning/ (tools over the hub's fleet, and the demo that runs both), test/
 * and test/bench/ (may import anything).
 *
 * The box's shared modules: the hub runs on the same durable storage, logger and Node server
 * adapter as the box, and answers in the same languages. They stay where the box has them (moving
 * them would add a sixth top-level folder, or put sockets and PGlite into the wire contract) and
 * are named here instead; the hub may import these and nothing else of the box, and they import
 * nothing else of the box themselves, so the hub never pulls in the box's domain or services.
 */
const SHARED = [
  '^appliance/storage/database\\.ts$', // the durable storage opener (and, through it, appliance/storage)
  '^appliance/log\\.ts$', // the one logger, with the redacting error serializer
  '^appliance/http/server\\.ts$', // the Node server adapter (the only module that knows Node sockets)
  '^appliance/password-hash\\.ts$', // one scrypt hash for staff passwords and box secrets
  '^appliance/http/login-throttle\\.ts$', // one login throttle for box staff and hub operators (self-contained, no imports)
];
const TESTS = '(\\.test\\.tsx?$|/testing\\.ts$|/testing/)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import loops anywhere, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'box-reaches-hub-only-through-contract',
      comment: 'The box knows of the hub only the wire contract (central/contract).',
      severity: 'error',
      from: { path: '^appliance/' },
      to: { path: '^central/', pathNot: '^central/contract/' },
    },
    {
      name: 'hub-uses-only-shared-box-modules',
      comment: 'The hub imports from the box only the shared modules listed in SHARED.',
      severity: 'error',
      from: { path: '^central/' },
      to: { path: '^appliance/', pathNot: SHARED },
    },
    {
      name: 'shared-modules-stay-self-contained',
      comment: 'A shared module (and the storage layer behind the opener) imports nothing else of the box.',
      severity: 'error',
      from: { path: [...SHARED, '^appliance/storage/'], pathNot: TESTS },
      to: { path: '^appliance/', pathNot: [...SHARED, '^appliance/storage/'] },
    },
    {
      name: 'nothing-imports-provisioning',
      comment: 'provisioning/ is a set of tools over central/fleet; neither box nor hub depends on it.',
      severity: 'error',
      from: { path: '^(appliance|central)/' },
      to: { path: '^provisioning/' },
    },
    {
      name: 'domain-stays-pure',
      comment:
        'The clinic domain imports only itself, the wire contract, zod, Node built-ins and the password hash (pure ' +
        'node:crypto, shared with the hub): never the HTTP layer, sync, relay, storage, MQTT, Hono or a database ' +
        'driver. Its tests may use test fixtures.',
      severity: 'error',
      from: { path: '^appliance/clinic/', pathNot: TESTS },
      to: {
        path: ['^appliance/(?!clinic/|password-hash\\.ts$)', '^node_modules/(hono|@hono|mqtt|aedes|pg|pg-[^/]+|@electric-sql|ws|werift|pino)/'],
      },
    },
    {
      name: 'services-do-not-import-http',
      comment: 'Sync, relay and storage are used by the HTTP layer, never the other way round.',
      severity: 'error',
      from: { path: '^appliance/(sync|relay|storage)/', pathNot: TESTS },
      to: { path: '^appliance/http/' },
    },
    {
      name: 'code-does-not-import-tests',
      comment: 'Running code never imports tests, test fixtures (testing.ts, testing/), test/ (benchmarks included).',
      severity: 'error',
      from: { path: '^(appliance|central|provisioning)/', pathNot: TESTS },
      to: { path: [TESTS, '^test/'] },
    },
    {
      name: 'browser-code-stays-in-the-browser',
      comment:
        "The pages' browser code (appliance/http/pages/browser, bundled for phones) imports only itself, the relay's " +
        "protocol, the word catalogs and, as types only, the API's answer schemas: never a server module (checked again " +
        'at build time in appliance/http/pages/bundles.ts, where type-only imports are gone).',
      severity: 'error',
      from: { path: '^appliance/http/pages/browser/' },
      to: { path: '^appliance/', pathNot: ['^appliance/http/pages/browser/', '^appliance/relay/protocol\\.ts$', '^appliance/words/', '^appliance/http/schemas/'] },
    },
    {
      name: 'hub-browser-code-stays-in-the-browser',
      comment:
        "The hub console's browser code (central/http/pages/browser, bundled into /assets/fleet.js) imports only itself " +
        'and, as types only, the live-update schemas (fleet, rollouts) and uPlot: never a server module (checked again at build time in ' +
        'central/http/pages/hub-assets.ts, where type-only imports are gone).',
      severity: 'error',
      from: { path: '^central/http/pages/browser/' },
      to: { path: '^central/', pathNot: ['^central/http/pages/browser/', '^central/http/fleet-live-schema\\.ts$', '^central/http/rollout-live-schema\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // type-only imports count: a type loop is still two modules that cannot be read apart
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
