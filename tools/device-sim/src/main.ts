#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { parseCliArgs, USAGE, UsageError, type CliOptions } from './cli-args';
import { loadLabFile } from '@synapse/lab';
import { labTopology, referenceLabTopology } from './lab';
import { startDeviceSim, type DeviceSim } from './simulator';
import type { Topology } from './topology';
import { loadTopologyFile } from './topology-file';

/** The reference lab's well-known ports when nothing else is asked for. */
const REFERENCE_LAB_BASE_PORT = 57400;

function withPorts(topology: Topology, options: CliOptions): Topology {
  const base = options.basePort ?? (options.topologyFile || options.labFile ? undefined : REFERENCE_LAB_BASE_PORT);
  if (base === undefined) return topology;
  // --base-port 0 asks for ephemeral ports throughout.
  return { ...topology, devices: topology.devices.map((device, i) => ({ ...device, port: base === 0 ? 0 : base + i })) };
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) process.stderr.write(`device-sim: ${error.message}\n`);
      process.stderr.write(`${USAGE}\n`);
      process.exit(error.message ? 2 : 0);
    }
    throw error;
  }
  // Signals are handled from the start, so one that arrives mid-startup still stops cleanly.
  let sim: DeviceSim | undefined;
  let stopRequested: string | undefined;
  const shutdown = (signal: string) => {
    if (stopRequested) return;
    stopRequested = signal;
    if (sim) stopAndExit(sim, signal);
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const topology = withPorts(
    options.topologyFile ? loadTopologyFile(options.topologyFile) : options.labFile ? labTopology(loadLabFile(options.labFile)) : referenceLabTopology(),
    options,
  );
  sim = await startDeviceSim({
    topology,
    host: options.host,
    convergenceDelayMs: options.convergenceMs,
    tls: options.tls,
    controlPort: options.controlPort,
    stateDir: options.stateDir,
  });
  if (stopRequested) {
    stopAndExit(sim, stopRequested);
    return;
  }
  if (options.caFile && sim.tlsCaPem) writeFileSync(options.caFile, sim.tlsCaPem);

  const lines = sim.devices.map((d) => JSON.stringify({ device: d.name, address: d.address }));
  lines.push(JSON.stringify({ service: 'device-sim-control', address: sim.controlAddress }));
  process.stdout.write(`${lines.join('\n')}\n`);
}

function stopAndExit(sim: DeviceSim, signal: string): void {
  process.stderr.write(`device-sim: ${signal}, stopping\n`);
  sim.stop().then(
    () => process.exit(0),
    (error: Error) => {
      process.stderr.write(`device-sim: stop failed: ${error.message}\n`);
      process.exit(1);
    },
  );
}

main().catch((error: Error) => {
  process.stderr.write(`device-sim: ${error.message}\n`);
  process.exit(1);
});
