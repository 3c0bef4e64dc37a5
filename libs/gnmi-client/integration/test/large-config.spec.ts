/**
 * A full config above gRPC's 4 MiB default message limit: written in one
 * root replace and read back whole. It works only because the client raises
 * its receive limit (512 MiB, as gnmic); a client left at the default fails
 * with an error that says so.
 */
import { referenceLabTopology, startDeviceSim, type DeviceSim } from '@synapse/device-sim';
import type { GnmiClient } from '@synapse/gnmi-client';
import { canonical, clientFor, expectTypedError } from './lab';

/** 99 slots of 128 ports is every ethernet name SR Linux 25.3 allows: 12,000 of them still make a config well over 4 MiB. */
const INTERFACE_COUNT = 12_000;
const GRPC_DEFAULT_LIMIT = 4 * 1024 * 1024;

/** Close to SR Linux's 255-character limit on descriptions. */
function longDescription(subject: string): string {
  return `${subject} - ${'provisioned by synapse for the large config test, kept verbose on purpose; '.repeat(4)}`.slice(0, 250);
}

/** 12k SR Linux ethernet ports (ethernet-<slot>/<port>, 128 ports a slot), each with a long description. */
function largeConfig(base: Record<string, unknown>): Record<string, unknown> {
  const interfaces = Array.from({ length: INTERFACE_COUNT }, (_, i) => {
    const name = `ethernet-${1 + Math.floor(i / 128)}/${1 + (i % 128)}`;
    const circuit = `customer circuit ${String(i).padStart(5, '0')}`;
    return {
      name,
      description: longDescription(circuit),
      'admin-state': i % 7 === 0 ? 'disable' : 'enable',
      mtu: 9214,
      subinterface: [{ index: 0, description: longDescription(`${circuit} service`), 'admin-state': 'enable' }],
    };
  });
  const existing = base['srl_nokia-interfaces:interface'] as unknown[];
  return { ...base, 'srl_nokia-interfaces:interface': [...existing, ...interfaces] };
}

describe('a config larger than 4 MiB', () => {
  let sim: DeviceSim;
  let leaf01: GnmiClient;
  let document: Record<string, unknown>;

  beforeAll(async () => {
    sim = await startDeviceSim({ topology: referenceLabTopology(), convergenceDelayMs: 100 });
    leaf01 = clientFor(sim, 'leaf01', { timeoutMs: 60_000 });
    const base = (await leaf01.getConfig('/', { keepModulePrefixes: true })) as Record<string, unknown>;
    document = largeConfig(base);
    expect(Buffer.byteLength(JSON.stringify(document))).toBeGreaterThan(GRPC_DEFAULT_LIMIT);
  });
  afterAll(async () => {
    leaf01?.close();
    await sim?.stop();
  });

  it('is replaced at the root in one Set and read back identical', async () => {
    const result = await leaf01.set({ replace: [{ path: '/', value: document }] });
    expect(result.results).toEqual([{ path: '/', op: 'REPLACE' }]);

    const readBack = await leaf01.getConfig('/');
    const { interface: interfaces } = readBack as { interface: unknown[] };
    expect(interfaces).toHaveLength(INTERFACE_COUNT + 1);
    expect(Buffer.byteLength(JSON.stringify(readBack))).toBeGreaterThan(GRPC_DEFAULT_LIMIT);
    // What was written (module-qualified JSON_IETF) equals what is read (unqualified), entry for entry.
    const written = JSON.parse(JSON.stringify(document).replace(/"srl_nokia-[a-z-]+:([a-z-]+)":/g, '"$1":'));
    // Compared as text: jest's deep equality on 15k entries costs seconds of a shared core.
    expect(JSON.stringify(canonical(readBack))).toBe(JSON.stringify(canonical(written)));
  }, 60_000);

  it('fails with a clear, non-retryable error on a client left at the 4 MiB default', async () => {
    const limited = clientFor(sim, 'leaf01', { timeoutMs: 60_000 }, { maxReceiveMessageBytes: GRPC_DEFAULT_LIMIT });
    try {
      const error = await expectTypedError(limited.getConfig('/'), 'TargetMisconfigured');
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/exceeds the client receive limit \(maxReceiveMessageBytes\)/);
      expect(error.details).toMatchObject({ device: 'leaf01', rpc: 'Get', grpcStatus: 'RESOURCE_EXHAUSTED' });
      expect(String(error.details.deviceMessage)).toMatch(/larger than max \(\d+ vs 4194304\)/);
    } finally {
      limited.close();
    }
  }, 60_000);
});
