/**
 * Benchmark (not a test): gnmi-client against pygnmi on the same simulator in
 * one run, plus the simulator's memory at 1,000 devices.
 *
 *   npm run bench:gnmi            (builds first)
 *
 * Figures printed: sequential Get and Set latency on one device, aggregate Get
 * throughput over 50 devices at concurrency 10, each with the ratio
 * pygnmi / gnmi-client; then RSS of a simulator process serving 1, 100 and
 * 1,000 devices. Ratios matter more than absolute numbers: both clients share
 * the machine and the simulator within the same run.
 */
import { execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { GnmiClient } from '@synapse/gnmi-client';
import { generateFabric, startDeviceSim } from '@synapse/device-sim';
import { pythonWithPygnmi } from '../test/python';

const CREDENTIALS = { username: 'admin', password: 'NokiaSrl1!' };
const GET_PATH = '/interface[name=mgmt0]';
const SET_PATH = '/interface[name=mgmt0]/description';
const JOB = { warmup: 20, sequentialGets: 300, sequentialSets: 150, throughputGets: 2000, concurrency: 10, deviceCount: 50 };

interface LatencySummary {
  n: number;
  mean_ms: number;
  p50_ms: number;
  p95_ms: number;
}
interface Figures {
  get: LatencySummary;
  set: LatencySummary;
  throughput: { gets: number; seconds: number; gets_per_s: number };
}

function summarise(samplesMs: number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    n: sorted.length,
    mean_ms: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    p50_ms: sorted[Math.floor(sorted.length / 2)],
    p95_ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))],
  };
}

async function benchGnmiClient(addresses: string[]): Promise<Figures> {
  const clients = addresses.map((address, i) => new GnmiClient({ name: `bench${i}`, address, transport: { mode: 'plaintext' } }, CREDENTIALS));
  const first = clients[0];
  const getOnce = (client: GnmiClient) => client.get(GET_PATH, { type: 'CONFIG', encoding: 'JSON_IETF' });
  try {
    for (let i = 0; i < JOB.warmup; i++) await getOnce(first);
    const getSamples: number[] = [];
    for (let i = 0; i < JOB.sequentialGets; i++) {
      const start = performance.now();
      await getOnce(first);
      getSamples.push(performance.now() - start);
    }
    const setSamples: number[] = [];
    for (let i = 0; i < JOB.sequentialSets; i++) {
      const start = performance.now();
      await first.set({ update: [{ path: SET_PATH, value: `bench ${i}` }] });
      setSamples.push(performance.now() - start);
    }
    // Same shape as the Python side: one channel per device, `concurrency` requests in flight.
    await Promise.all(clients.map((c) => c.capabilities()));
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: JOB.concurrency }, async () => {
        while (next < JOB.throughputGets) {
          const client = clients[next++ % clients.length];
          await getOnce(client);
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    return { get: summarise(getSamples), set: summarise(setSamples), throughput: { gets: JOB.throughputGets, seconds, gets_per_s: JOB.throughputGets / seconds } };
  } finally {
    clients.forEach((c) => c.close());
  }
}

function benchPygnmi(addresses: string[]): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      pythonWithPygnmi(),
      [path.join(__dirname, '..', '..', 'python', 'pygnmi_bench.py')],
      { env: { ...process.env, GNMI_USERNAME: CREDENTIALS.username, GNMI_PASSWORD: CREDENTIALS.password }, maxBuffer: 16 * 1024 * 1024, timeout: 600_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`pygnmi bench failed: ${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as Figures)),
    );
    child.stdin!.end(JSON.stringify({ ...JOB, devices: addresses, getPath: GET_PATH, setPath: SET_PATH }));
  });
}

/** RSS of a separate simulator process, so the benchmark's own heap does not count. */
function simulatorMemory(devices: number): Promise<{ devices: number; rssMiB: number; heapUsedMiB: number; startSeconds: number }> {
  const script = `
    const { generateFabric, startDeviceSim } = require('@synapse/device-sim');
    (async () => {
      const spines = Math.max(1, Math.round(${devices} / 20));
      const t0 = Date.now();
      const sim = await startDeviceSim({ topology: generateFabric({ spines, leaves: ${devices} - spines }), convergenceDelayMs: 1000 });
      const startSeconds = (Date.now() - t0) / 1000;
      global.gc && global.gc();
      await new Promise((r) => setTimeout(r, 500));
      const m = process.memoryUsage();
      console.log(JSON.stringify({ devices: sim.devices.length, rssMiB: m.rss / 2 ** 20, heapUsedMiB: m.heapUsed / 2 ** 20, startSeconds }));
      await sim.stop();
    })().catch((e) => { console.error(e); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '-e', script], { cwd: __dirname, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`simulator memory run exited ${code}`))));
  });
}

const fmt = (n: number) => n.toFixed(2).padStart(9);

async function main(): Promise<void> {
  const sim = await startDeviceSim({ topology: generateFabric({ spines: 2, leaves: JOB.deviceCount - 2 }), convergenceDelayMs: 1000 });
  try {
    const addresses = sim.devices.map((d) => d.address);
    console.log(`simulator: ${addresses.length} devices; job ${JSON.stringify(JOB)}`);
    const ours = await benchGnmiClient(addresses);
    const theirs = await benchPygnmi(addresses);
    console.log('\n                          gnmi-client     pygnmi   pygnmi/gnmi-client');
    for (const [label, key] of [['Get', 'get'], ['Set', 'set']] as const) {
      for (const stat of ['mean_ms', 'p50_ms', 'p95_ms'] as const) {
        console.log(`${`${label} latency ${stat}`.padEnd(24)}${fmt(ours[key][stat])}  ${fmt(theirs[key][stat])}  ${fmt(theirs[key][stat] / ours[key][stat])}x`);
      }
    }
    console.log(
      `${`Get throughput /s (c=${JOB.concurrency}, ${addresses.length} dev)`.padEnd(24)}${fmt(ours.throughput.gets_per_s)}  ${fmt(theirs.throughput.gets_per_s)}  ${fmt(ours.throughput.gets_per_s / theirs.throughput.gets_per_s)}x (gnmi-client/pygnmi)`,
    );
  } finally {
    await sim.stop();
  }
  console.log('\nsimulator memory (separate process, after GC):');
  const baseline = await simulatorMemory(1);
  for (const n of [1, 100, 1000]) {
    const m = n === 1 ? baseline : await simulatorMemory(n);
    console.log(
      `  ${String(m.devices).padStart(5)} devices: RSS ${m.rssMiB.toFixed(1)} MiB, heap ${m.heapUsedMiB.toFixed(1)} MiB, started in ${m.startSeconds.toFixed(2)} s, ${((m.rssMiB - baseline.rssMiB) / Math.max(1, m.devices - 1) * 1024).toFixed(0)} KiB per added device`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
