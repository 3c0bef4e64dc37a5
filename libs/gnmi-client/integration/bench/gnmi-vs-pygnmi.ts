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
 * the machine and the simulator within the same run. The simulator runs in its
 * own process so neither client shares an event loop with it.
 */
import { execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { GnmiClient } from '@synapse/gnmi-client';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { generateFabric, LAB_PLAINTEXT_TRANSPORT, type Topology } from '@synapse/device-sim';
import { pythonWithPygnmi } from '../test/python';

const CREDENTIALS = { username: 'admin', password: 'NokiaSrl1!' };
const GET_PATH = '/interface[name=mgmt0]';
const SET_PATH = '/interface[name=mgmt0]';
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
  const clients = addresses.map((address, i) => new GnmiClient({ name: `bench${i}`, address, transport: LAB_PLAINTEXT_TRANSPORT }, CREDENTIALS));
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
      await first.set({ update: [{ path: SET_PATH, value: { description: `bench ${i}` } }] });
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

function fabricOf(devices: number): Topology {
  if (devices === 1) return { devices: generateFabric({ spines: 1, leaves: 1 }).devices.slice(0, 1), links: [] };
  const spines = Math.max(1, Math.round(devices / 25));
  return generateFabric({ spines, leaves: devices - spines });
}

interface SimProcess {
  addresses: string[];
  pid: number;
  startSeconds: number;
  stop(): Promise<void>;
}

/** The standalone simulator (dist/main.js) on a generated topology; resolves once every device line is printed. */
function startSimulatorProcess(devices: number): Promise<SimProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gnmi-bench-'));
  const topologyFile = path.join(dir, 'topology.json');
  fs.writeFileSync(topologyFile, JSON.stringify(fabricOf(devices)));
  const main = require.resolve('@synapse/device-sim/dist/main.js');
  const started = performance.now();
  const child = spawn(process.execPath, [main, '--topology', topologyFile, '--convergence-ms', '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const addresses: string[] = [];
    let buffered = '';
    child.on('exit', (code) => reject(new Error(`simulator exited ${code} before it was ready`)));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as { device?: string; address: string; service?: string };
        buffered = buffered.slice(newline + 1);
        if (line.device) addresses.push(line.address);
        if (line.service === 'device-sim-control') {
          resolve({
            addresses,
            pid: child.pid!,
            startSeconds: (performance.now() - started) / 1000,
            stop: () =>
              new Promise((done) => {
                child.removeAllListeners('exit');
                child.on('exit', () => {
                  fs.rmSync(dir, { recursive: true, force: true });
                  done();
                });
                child.kill('SIGTERM');
              }),
          });
        }
      }
    });
  });
}

/** Resident set size of another process, from /proc (Linux). */
function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)![1]);
  return kib / 1024;
}

const fmt = (n: number) => n.toFixed(2).padStart(9);

async function main(): Promise<void> {
  const sim = await startSimulatorProcess(JOB.deviceCount);
  try {
    const addresses = sim.addresses;
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
  console.log('\nsimulator process memory (RSS, idle, then after one Capabilities per device):');
  let baseline = 0;
  for (const n of [1, 100, 1000]) {
    const proc = await startSimulatorProcess(n);
    try {
      await new Promise((r) => setTimeout(r, 500));
      const idle = rssMiB(proc.pid);
      if (n === 1) baseline = idle;
      const clients = proc.addresses.map((address, i) => new GnmiClient({ name: `mem${i}`, address, transport: LAB_PLAINTEXT_TRANSPORT }, CREDENTIALS));
      for (let i = 0; i < clients.length; i += 50) await Promise.all(clients.slice(i, i + 50).map((c) => c.capabilities()));
      const busy = rssMiB(proc.pid);
      clients.forEach((c) => c.close());
      const perDevice = n > 1 ? `${(((idle - baseline) / (n - 1)) * 1024).toFixed(0)} KiB per added device idle` : 'baseline';
      console.log(`  ${String(n).padStart(5)} devices: ready in ${proc.startSeconds.toFixed(2)} s, RSS ${idle.toFixed(1)} MiB idle, ${busy.toFixed(1)} MiB with a connection per device (${perDevice})`);
    } finally {
      await proc.stop();
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
