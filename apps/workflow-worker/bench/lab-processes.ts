/**
 * The two simulators of one benchmark run, each in its own node process (so
 * the benchmark's event loop, which carries the Temporal workers and the
 * plain script, never also serves gNMI or GraphQL), started from the same
 * generated lab so the devices match what Infrahub says about them.
 *
 * Every run gets fresh processes: the devices boot with their pre-change
 * config (management only, no fabric interfaces, no BGP) and Infrahub with
 * no deployment records, so every measured change does a first deploy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { labTopology } from '@synapse/device-sim';
import { DEFAULT_LAB_API_TOKEN } from '@synapse/infrahub-sim';
import { labToJson, type Lab } from '@synapse/lab';

export interface LabFiles {
  dir: string;
  labFile: string;
  topologyFile: string;
  convergenceMs: number;
}

export interface RunningLab {
  /** Device name -> gNMI address (host:port). */
  devices: Map<string, string>;
  /** http://host:port of the Infrahub simulator. */
  infrahubAddress: string;
  /** The two simulator processes, for CPU accounting. */
  pids: number[];
  stop(): Promise<void>;
}

/** Writes the lab (for infrahub-sim) and its device topology (for device-sim) once per benchmark. */
export function writeLabFiles(lab: Lab, convergenceMs: number): LabFiles {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'change-bench-lab-'));
  const labFile = path.join(dir, 'lab.json');
  const topologyFile = path.join(dir, 'topology.json');
  fs.writeFileSync(labFile, labToJson(lab));
  fs.writeFileSync(topologyFile, JSON.stringify(labTopology(lab)));
  return { dir, labFile, topologyFile, convergenceMs };
}

/** Processes still running, killed if the benchmark exits without stopping them. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Both simulators on ephemeral loopback ports; resolves once both print their addresses. */
export async function startLab(files: LabFiles): Promise<RunningLab> {
  const [deviceSim, infrahubSim] = await Promise.allSettled([
    startChild(
      require.resolve('@synapse/device-sim/dist/main.js'),
      ['--topology', files.topologyFile, '--base-port', '0', '--convergence-ms', String(files.convergenceMs)],
      (line) => line.service === 'device-sim-control',
    ),
    startChild(
      require.resolve('@synapse/infrahub-sim/dist/main.js'),
      ['--lab', files.labFile, '--port', '0'],
      (line) => line.service === 'infrahub-sim',
      { INFRAHUB_SIM_TOKEN: DEFAULT_LAB_API_TOKEN },
    ),
  ]);
  if (deviceSim.status === 'rejected' || infrahubSim.status === 'rejected') {
    if (deviceSim.status === 'fulfilled') await deviceSim.value.stop();
    if (infrahubSim.status === 'fulfilled') await infrahubSim.value.stop();
    throw deviceSim.status === 'rejected' ? deviceSim.reason : (infrahubSim as PromiseRejectedResult).reason;
  }
  const devices = new Map<string, string>();
  for (const line of deviceSim.value.lines) if (typeof line.device === 'string') devices.set(line.device, String(line.address));
  const infrahubAddress = String(infrahubSim.value.lines.find((l) => l.service === 'infrahub-sim')!.address);
  return {
    devices,
    infrahubAddress,
    pids: [deviceSim.value.pid, infrahubSim.value.pid],
    stop: async () => {
      await Promise.all([deviceSim.value.stop(), infrahubSim.value.stop()]);
    },
  };
}

type Line = Record<string, unknown>;

/** A simulator's main.js: JSON lines on stdout until `isLast` says it is ready; stderr is kept for the error if it dies first. */
function startChild(main: string, args: string[], isLast: (line: Line) => boolean, env: NodeJS.ProcessEnv = {}): Promise<{ lines: Line[]; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    live.delete(child);
  };
  return new Promise((resolve, reject) => {
    const lines: Line[] = [];
    let buffered = '';
    const onExit = (code: number | null) => reject(new Error(`${path.basename(path.dirname(path.dirname(main)))} exited (${code}) before it was ready: ${stderr.trim()}`));
    child.once('exit', onExit);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const text = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (!text) continue;
        const line = JSON.parse(text) as Line;
        lines.push(line);
        if (isLast(line)) {
          child.off('exit', onExit);
          resolve({ lines, pid: child.pid!, stop });
        }
      }
    });
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;
