import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The built entry point (`device-sim` / `nx serve device-sim`), run as a real process. */
const PROJECT = join(__dirname, '..');
export const MAIN = join(PROJECT, 'dist', 'main.js');

/** The test target only builds dependencies, so bring this project's dist up to date (incremental). */
export function buildMain(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(PROJECT, 'tsconfig.json')], { stdio: 'pipe' });
}

export interface Started {
  child: ChildProcess;
  lines: Array<Record<string, string>>;
  stderr: () => string;
}

/** Runs dist/main.js and waits for its device and control lines. */
export function startMain(args: string[], expectedLines: number): Promise<Started> {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: PROJECT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`main.js printed no ${expectedLines} lines in time; stderr: ${stderr}`)), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`main.js exited early with ${code}: ${stderr}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = stdout.split('\n').filter(Boolean);
      if (lines.length >= expectedLines) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, lines: lines.map((line) => JSON.parse(line) as Record<string, string>), stderr: () => stderr });
      }
    });
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

/** SIGTERM, and the exit code once it is gone. */
export function stopMain(child: ChildProcess): Promise<number | null> {
  if (child.exitCode === null) child.kill('SIGTERM');
  return exitOf(child);
}

export function runToExit(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: PROJECT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return exitOf(child).then((code) => ({ code, stderr, stdout }));
}
