/**
 * Import rules per folder of src/ (docs/architecture.md, "Rules" and "The layers"), checked by
 * `npm run lint:layers` (part of `npm test`), which also refuses import cycles between the
 * top-level folders (scripts/check-layers.mjs).
 *
 * Type-only imports count (tsPreCompilationDeps): a layer that names another's types depends on it.
 */

/** Folders whose code may wire devices, protocol faces and cameras together. */
const WIRING = 'emulator|cli|dashboard';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'ptp-imports-only-ptp-util',
      comment: 'PTP itself: codecs, sessions, transports, responder core. It knows no camera, device or emulator.',
      severity: 'error',
      from: { path: '^src/ptp/' },
      to: { path: '^src/', pathNot: '^src/(ptp|util)/' },
    },
    {
      name: 'wire-format-imports-only-itself-ptp-util',
      comment:
        'src/sequoia and src/osc are wire formats and their clients: they import themselves, src/ptp and src/util only (no device model, no emulator, not each other).',
      severity: 'error',
      from: { path: '^src/(sequoia|osc)/' },
      to: { path: '^src/', pathNot: ['^src/$1/', '^src/(ptp|util)/'] },
    },
    {
      name: 'camera-imports-no-devices-no-emulator',
      comment:
        'The Camera interface reaches cameras through the protocol clients, never through device models or emulators.',
      severity: 'error',
      from: { path: '^src/camera/' },
      to: { path: '^src/(devices|emulator)/' },
    },
    {
      name: 'devices-import-no-wire-format-no-emulator',
      comment: 'Device models speak in their own words: no Sequoia HTTP, OSC or PTP code or types, and no emulator.',
      severity: 'error',
      from: { path: '^src/devices/' },
      to: { path: '^src/(sequoia|osc|ptp|emulator)/' },
    },
    {
      name: 'util-imports-only-util',
      comment: 'src/util is the bottom layer: it imports nothing of camctl outside itself.',
      severity: 'error',
      from: { path: '^src/util/' },
      to: { path: '^src/', pathNot: '^src/util/' },
    },
    {
      name: 'sync-imports-no-devices-no-emulator',
      comment: 'S3 sync walks cameras through the Camera interface, never device models or emulators.',
      severity: 'error',
      from: { path: '^src/sync/' },
      to: { path: '^src/(devices|emulator)/' },
    },
    {
      name: 'only-wiring-layers-import-wiring-layers',
      comment: `Only src/{${WIRING.replaceAll('|', ',')}} wire devices, faces and cameras together; nothing below imports them. src/index.ts, the root entry point, re-exports the Camera layer and the documented shapes of the CLI's --json output (cli/json-shapes.ts, json-schemas.ts, FileReport).`,
      severity: 'error',
      from: { path: '^src/', pathNot: [`^src/(${WIRING})/`, '^src/index\\.ts$'] },
      to: { path: `^src/(${WIRING})/` },
    },
    {
      name: 'emulator-imports-no-cli-no-dashboard',
      comment: 'Emulators are started by the CLI and the dashboard demo, never the other way round.',
      severity: 'error',
      from: { path: '^src/emulator/' },
      to: { path: '^src/(cli|dashboard)/' },
    },
    {
      name: 'dashboard-imports-no-cli',
      comment: 'The CLI starts the dashboard (`camctl ui`); the dashboard does not depend on the CLI.',
      severity: 'error',
      from: { path: '^src/dashboard/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'no-module-cycles',
      comment: 'No import cycle between modules (type-only imports included).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    // Cycles between folders are checked by scripts/check-layers.mjs over the same cruise.
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',

    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
