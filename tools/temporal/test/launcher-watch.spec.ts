import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { isRunning, waitUntilGone } from './process-state';

/**
 * The launch chain a supervisor watches when it runs from a package script
 * whose shell did not exec it: launcher -> package manager -> sh -> us. The
 * package manager is a stand-in (a node process without the script's
 * npm_lifecycle_event, as npm's own environment is); the watcher runs from the
 * built module, as `npm start` runs it.
 */
const BUILT_MODULE = path.join(__dirname, '..', 'dist', 'launcher-watch.js');

describe('the launcher watch', () => {
  it('climbs through the script’s shell to the package manager, and says so when the launcher above it is killed', async () => {
    expect(fs.existsSync(BUILT_MODULE)).toBe(true);
    const watcher = `
      const watch = require(${JSON.stringify(BUILT_MODULE)}).watchLauncher({ intervalMs: 50 });
      console.log(JSON.stringify({ chain: watch.chain }));
      watch.gone.then((why) => { console.log(JSON.stringify({ gone: why })); process.exit(0); });
      setInterval(() => undefined, 60_000);`;
    const packageManager = `
      const env = { ...process.env, npm_lifecycle_event: 'start' };
      require('node:child_process').spawn('sh', ['-c', ${JSON.stringify(`"${process.execPath}" -e '${watcher.replace(/'/g, `'\\''`)}'; true`)}], { stdio: 'inherit', env });
      setInterval(() => undefined, 60_000);`;
    const launcherSource = `
      const pm = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(packageManager)}], { stdio: 'inherit' });
      console.log(JSON.stringify({ packageManager: pm.pid }));
      setInterval(() => undefined, 60_000);`;
    const env = { ...process.env };
    delete env.npm_lifecycle_event;
    const launcher = spawn(process.execPath, ['-e', launcherSource], { env, stdio: ['ignore', 'pipe', 'inherit'] });

    const messages: Record<string, unknown>[] = [];
    readline.createInterface({ input: launcher.stdout }).on('line', (line) => messages.push(JSON.parse(line) as Record<string, unknown>));
    const message = async (key: string) => {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const found = messages.find((candidate) => key in candidate);
        if (found) return found[key];
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no "${key}" message; got ${JSON.stringify(messages)}`);
    };

    const packageManagerPid = (await message('packageManager')) as number;
    const chain = (await message('chain')) as Array<{ pid: number; name: string; ppid: number; parentName: string }>;
    try {
      // us -> sh, sh -> the package manager, the package manager -> the launcher.
      expect(chain.map((link) => link.parentName)).toEqual(['sh', 'node', 'node']);
      expect(chain[1].ppid).toBe(packageManagerPid);
      expect(chain[2]).toMatchObject({ pid: packageManagerPid, ppid: launcher.pid });

      process.kill(launcher.pid!, 'SIGKILL');

      expect(await message('gone')).toBe(`node (pid ${launcher.pid}), which started node (pid ${packageManagerPid}), is gone`);
    } finally {
      for (const link of chain) if (link.pid !== launcher.pid && isRunning(link.pid)) process.kill(link.pid, 'SIGKILL');
      if (isRunning(packageManagerPid)) process.kill(packageManagerPid, 'SIGKILL');
      await waitUntilGone(packageManagerPid, 5_000);
    }
  });
});
