/**
 * Import rules per folder of src/ (docs/architecture.md, "Rules" and "The layers"), checked by
 * `npm run lint:layers` (part of `npm test`). The rules describe the target shape; imports that
 * today's tree still has and the rules already forbid are listed, pair by pair, in
 * KNOWN_LAYER_VIOLATIONS below — the only exceptions there are.
 *
 * Type-only imports count (tsPreCompilationDeps): a layer that names another's types depends on it.
 */

/** Folders whose code may wire devices, protocol faces and cameras together. */
const WIRING = 'emulator|cli|dashboard';

/**
 * Imports that break a rule below and are known to exist in today's tree: exact from → to file
 * pairs, each with the rule it breaks. They are reported as ignored, not as errors. The emulator
 * redesign (the Sequoia and THETA protocol faces moving from src/sequoia and src/osc into
 * src/emulator/{sequoia,theta}/, device models losing their wire-format types) removes them; once
 * it has, this list is empty and stays empty. Never add a pair to make a new import pass: fix the
 * import.
 */
const KNOWN_LAYER_VIOLATIONS = [
  // The Sequoia HTTP + WebSocket face still lives in src/sequoia/ and talks to the device model.
  ['wire-format-imports-only-itself-ptp-util', 'src/sequoia/server.ts', 'src/devices/sequoia/device.ts'],
  ['wire-format-imports-only-itself-ptp-util', 'src/sequoia/server.ts', 'src/devices/storage.ts'],
  // The THETA OSC face still lives in src/osc/ and talks to the device model.
  ['wire-format-imports-only-itself-ptp-util', 'src/osc/server.ts', 'src/devices/theta/catalog.ts'],
  ['wire-format-imports-only-itself-ptp-util', 'src/osc/server.ts', 'src/devices/theta/device.ts'],
  ['wire-format-imports-only-itself-ptp-util', 'src/osc/server.ts', 'src/devices/theta/errors.ts'],
  ['wire-format-imports-only-itself-ptp-util', 'src/osc/commands.ts', 'src/devices/theta/catalog.ts'],
  ['wire-format-imports-only-itself-ptp-util', 'src/osc/commands.ts', 'src/devices/theta/device.ts'],
  ['wire-format-imports-only-itself-ptp-util', 'src/osc/commands.ts', 'src/devices/theta/errors.ts'],
  ['wire-format-imports-only-itself-ptp-util', 'src/osc/commands.ts', 'src/devices/theta/firmware.ts'],
  ['wire-format-imports-only-itself-ptp-util', 'src/osc/commands.ts', 'src/devices/theta/options.ts'],
  // The Sequoia device model still speaks in the HTTP API's types.
  ['devices-import-no-wire-format-no-emulator', 'src/devices/sequoia/calibration.ts', 'src/sequoia/types.ts'],
  ['devices-import-no-wire-format-no-emulator', 'src/devices/sequoia/device.ts', 'src/sequoia/types.ts'],
  ['devices-import-no-wire-format-no-emulator', 'src/devices/sequoia/persisted-state.ts', 'src/sequoia/types.ts'],
  ['devices-import-no-wire-format-no-emulator', 'src/devices/sequoia/settings.ts', 'src/sequoia/types.ts'],
  // A type-only cycle: CameraError names SetResult, and Camera's types name CameraErrorCode.
  ['no-module-cycles', 'src/camera/errors.ts', 'src/camera/types.ts'],
];

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
      comment: 'src/sequoia and src/osc are wire formats and their clients: they import themselves, src/ptp and src/util only (no device model, no emulator, not each other).',
      severity: 'error',
      from: { path: '^src/(sequoia|osc)/' },
      to: { path: '^src/', pathNot: ['^src/$1/', '^src/(ptp|util)/'] },
    },
    {
      name: 'camera-imports-no-devices-no-emulator',
      comment: 'The Camera interface reaches cameras through the protocol clients, never through device models or emulators.',
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
      comment: `Only src/{${WIRING.replaceAll('|', ',')}} wire devices, faces and cameras together; nothing below imports them (src/index.ts, the root entry point, re-exports only the Camera layer).`,
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${WIRING})/` },
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
    // Cycles between folders are checked by scripts/check-layers.mjs over the same cruise, with the
    // known violations above left out: dependency-cruiser does not apply known violations to
    // folder-scoped rules, and today's known violations alone form the folder cycles there are.
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    knownViolations: KNOWN_LAYER_VIOLATIONS.map(([name, from, to]) => ({
      type: name === 'no-module-cycles' ? 'cycle' : 'dependency',
      from,
      to,
      rule: { name, severity: 'error' },
      // dependency-cruiser matches a known cycle by the modules in it: here a cycle of two.
      ...(name === 'no-module-cycles' ? { cycle: [{ name: to, dependencyTypes: [] }, { name: from, dependencyTypes: [] }] } : {}),
    })),
  },
};
