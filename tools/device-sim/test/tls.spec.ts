import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import type { DeviceSim } from '../src';
import { connect, expectGrpcError, startLab } from './helpers';

describe('TLS', () => {
  let sim: DeviceSim;

  beforeAll(async () => {
    sim = await startLab({ tls: 'self-signed' });
  });

  afterAll(() => sim.stop());

  it('serves gNMI over TLS with a certificate for 127.0.0.1 and localhost signed by the published CA', async () => {
    expect(sim.tlsCaPem).toMatch(/BEGIN CERTIFICATE/);
    const ca = new X509Certificate(sim.tlsCaPem!);
    expect(ca.ca).toBe(true);

    const client = connect(sim.address('spine01'), undefined, grpc.credentials.createSsl(Buffer.from(sim.tlsCaPem!)));
    try {
      await expect(client.capabilities()).resolves.toMatchObject({ gNMI_version: '0.10.0' });
    } finally {
      client.close();
    }
    const byName = connect(sim.address('leaf01').replace('127.0.0.1', 'localhost'), undefined, grpc.credentials.createSsl(Buffer.from(sim.tlsCaPem!)));
    try {
      await expect(byName.capabilities()).resolves.toBeDefined();
    } finally {
      byName.close();
    }
  });

  it('fails a client that does not trust the CA, and a plaintext client', async () => {
    const untrusting = connect(sim.address('spine01'), undefined, grpc.credentials.createSsl());
    const plaintext = connect(sim.address('spine01'));
    try {
      await expectGrpcError(untrusting.capabilities(), grpc.status.UNAVAILABLE);
      await expectGrpcError(plaintext.capabilities(), grpc.status.UNAVAILABLE);
    } finally {
      untrusting.close();
      plaintext.close();
    }
  });
});
