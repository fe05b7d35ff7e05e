// What a demo pod reads from its environment: defaults, the soak's settings, and loud errors.
import { DEFAULT_POD_SETTINGS, podSettingsEnv, podSettingsFromEnv } from '../src/pod-settings.js';

test('with nothing set, a pod keeps the demo defaults: SDK 1.x, 60 s idle, 2 000 sessions, 2 s of grace, no probe, no leak, no telemetry', () => {
  expect(podSettingsFromEnv({})).toEqual({
    sdk: 1,
    localIdleMs: 60_000,
    maxLocalSessions: 2_000,
    shutdownGraceMs: 2_000,
    injectedLeakBytesPerRequest: 0,
    memoryProbe: false,
    telemetry: false,
    metricsPorts: {},
    tracesFile: '',
  });
});

test("what --serve --traces sets is what its pods read back: each pod's metrics port, the traces file", () => {
  const env = podSettingsEnv({
    telemetry: true,
    metricsPorts: { 'pod-0': 9464, 'pod-1': 9465 },
    tracesFile: '/tmp/spans.log',
  });
  expect(env).toEqual({
    DEMO_TELEMETRY: '1',
    DEMO_METRICS_PORTS: 'pod-0=9464,pod-1=9465',
    DEMO_TRACES_FILE: '/tmp/spans.log',
  });
  expect(podSettingsFromEnv(env)).toEqual({
    ...DEFAULT_POD_SETTINGS,
    telemetry: true,
    metricsPorts: { 'pod-0': 9464, 'pod-1': 9465 },
    tracesFile: '/tmp/spans.log',
  });
  expect(podSettingsEnv({ metricsPorts: {} })).toEqual({});
});

test('what the soak sets is what its pods read back', () => {
  const env = podSettingsEnv({ localIdleMs: 3_000, memoryProbe: true, injectedLeakBytesPerRequest: 65_536 });
  expect(env).toEqual({
    DEMO_LOCAL_IDLE_MS: '3000',
    SOAK_MEMORY_PROBE: '1',
    SOAK_INJECT_LEAK_BYTES_PER_REQUEST: '65536',
  });
  expect(podSettingsFromEnv(env)).toEqual({
    ...DEFAULT_POD_SETTINGS,
    localIdleMs: 3_000,
    memoryProbe: true,
    injectedLeakBytesPerRequest: 65_536,
  });
});

test('a pod started with --sdk 2 reads DEMO_SDK=2; SDK 1.x, the default, is not written out', () => {
  expect(podSettingsEnv({ sdk: 2 })).toEqual({ DEMO_SDK: '2' });
  expect(podSettingsFromEnv({ DEMO_SDK: '2' }).sdk).toBe(2);
  expect(podSettingsEnv({ sdk: 1 })).toEqual({});
});

test('defaults are not written out: a healthy soak sets no leak variable at all', () => {
  expect(podSettingsEnv({ localIdleMs: 60_000, injectedLeakBytesPerRequest: 0 })).toEqual({});
});

test.each([
  ['DEMO_LOCAL_IDLE_MS', '0', 'DEMO_LOCAL_IDLE_MS must be a whole number of at least 1, got "0"'],
  ['DEMO_MAX_LOCAL_SESSIONS', '2k', 'DEMO_MAX_LOCAL_SESSIONS must be a whole number of at least 1, got "2k"'],
  ['SOAK_INJECT_LEAK_BYTES_PER_REQUEST', '-1', 'at least 0, got "-1"'],
  ['DEMO_SHUTDOWN_GRACE_MS', '1.5', 'DEMO_SHUTDOWN_GRACE_MS must be a whole number of at least 0, got "1.5"'],
  ['SOAK_MEMORY_PROBE', 'yes', 'SOAK_MEMORY_PROBE must be 1 or 0, got "yes"'],
  ['DEMO_SDK', '3', "DEMO_SDK takes 1 or 2 (the MCP SDK major), got '3'"],
  ['DEMO_TELEMETRY', 'on', 'DEMO_TELEMETRY must be 1 or 0, got "on"'],
  [
    'DEMO_METRICS_PORTS',
    'pod-0:9464',
    'DEMO_METRICS_PORTS must read pod-0=PORT,pod-1=PORT,..., got "pod-0:9464"',
  ],
  [
    'DEMO_METRICS_PORTS',
    'pod-0=70000',
    'DEMO_METRICS_PORTS must read pod-0=PORT,pod-1=PORT,..., got "pod-0=70000"',
  ],
])('%s=%s is refused with a message naming the variable', (name, value, message) => {
  expect(() => podSettingsFromEnv({ [name]: value })).toThrow(message);
});
