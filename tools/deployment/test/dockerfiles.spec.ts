/**
 * Each app's Dockerfile, parsed (dockerfile-ast) and held to the image rules:
 * multi-stage, glibc runtime, non-root, production mode, the real entry
 * point, the ports the app really serves, a healthcheck that probes one of
 * them. Each rule also fails on purpose against a broken copy.
 */
import * as path from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { referenceLabTopology } from '@synapse/device-sim';
import { dockerfileProblems, envVariablesReadByApp, parseDockerfile, portOf, runtimeClosure, type DockerfileModel } from '../src';
import { dockerfileOf, IMAGES, readText, ROOT, type Image } from './workspace';

/** The simulators' own command-line parsers (their built dist), so the CMD flags are checked by the code that reads them. */
const deviceSimCli = require(path.join(ROOT, 'tools/device-sim/dist/cli-args.js')) as { parseCliArgs(argv: string[]): { basePort?: number; controlPort: number; host: string } };
const infrahubSimCli = require(path.join(ROOT, 'tools/infrahub-sim/dist/cli-args.js')) as { parseCliArgs(argv: string[]): { port: number; host: string } };

function image(service: string): Image {
  return IMAGES.find((i) => i.service === service)!;
}

/** The ports each app listens on with the image's configuration, worked out from the app's own defaults and parsers. */
function portsServed(service: string, model: DockerfileModel): number[] {
  const flags = model.cmd!.slice(2);
  switch (service) {
    case 'workflow-worker':
    case 'device-worker':
    case 'infrahub-worker':
      return [portOf(model.env.SYNAPSE_HEALTH_ADDRESS!)!, portOf(model.env.SYNAPSE_METRICS_ADDRESS!)!];
    case 'codec-server':
      return [Number(model.env.SYNAPSE_CODEC_SERVER_PORT ?? 8888)];
    case 'device-sim': {
      const options = deviceSimCli.parseCliArgs(flags);
      const devices = referenceLabTopology().devices.length;
      return [...Array.from({ length: devices }, (_, i) => options.basePort! + i), options.controlPort];
    }
    case 'infrahub-sim':
      return [infrahubSimCli.parseCliArgs(flags).port];
    default:
      throw new Error(`no port rule for ${service}`);
  }
}

describe.each(IMAGES.map((i) => [i.service, i] as const))('%s Dockerfile', (service, img) => {
  const model = dockerfileOf(img);

  it('follows the image rules (multi-stage, glibc runtime, non-root, production, real entry point, healthcheck)', () => {
    expect(dockerfileProblems(model, { root: ROOT, appDir: img.dir })).toEqual([]);
  });

  it('builds on node:*-bookworm and runs on node:*-bookworm-slim as user node', () => {
    expect(model.stages.slice(0, -1).every((stage) => /^node:\d+-bookworm$/.test(stage.image))).toBe(true);
    expect(model.runtime.image).toMatch(/^node:20-bookworm-slim$/);
    expect(model.user).toBe('node');
    expect(model.workdir).toBe('/app');
  });

  it(`runs node ${img.dir}/dist/<entry>.js, the build output of a source file that exists`, () => {
    expect(model.cmd![0]).toBe('node');
    expect(model.cmd![1]).toMatch(new RegExp(`^${img.dir}/dist/[\\w-]+\\.js$`));
  });

  it('exposes exactly the ports the app serves with this configuration', () => {
    expect([...model.expose].sort()).toEqual(portsServed(service, model).sort());
  });

  it('sets only variables its app reads (its source or its workspace libraries), besides NODE_ENV', () => {
    const reads = envVariablesReadByApp(ROOT, img.dir);
    expect(Object.keys(model.env).filter((variable) => variable !== 'NODE_ENV' && !reads.has(variable))).toEqual([]);
  });
});

describe('what each image carries beyond the app', () => {
  it('device-worker: git in the runtime stage, because the backup store runs the git CLI', () => {
    const backupStore = readText('apps/device-worker/src/backup-store/git-cli.ts');
    // git runs under `sh` (which every Debian image has) so it can set its umask.
    expect(backupStore).toMatch(/exec git "\$@"/);
    const runtimeRuns = dockerfileOf(image('device-worker')).runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.arguments);
    expect(runtimeRuns.some((run) => /apt-get install[^&]*\bgit\b/.test(run))).toBe(true);
  });

  it('infrahub-worker: no Python, which only the interop tests use', () => {
    // Nothing the worker runs (its source and its libraries') starts a Python interpreter or script.
    const dirs = runtimeClosure(ROOT, ['apps/infrahub-worker']).map((pkg) => `${pkg.dir}/src`);
    expect(dirs).toContain('libs/infrahub-client/src');
    expect(sourcesMention(dirs, /(spawn|exec|execFile|fork)(Sync)?\(\s*['"`][^'"`]*python|['"`][^'"`]*\.py['"`]/)).toEqual([]);
    const runtimeRuns = dockerfileOf(image('infrahub-worker')).runtime.instructions.filter((i) => i.keyword === 'RUN');
    expect(runtimeRuns.map((i) => i.arguments).filter((run) => /python/i.test(run))).toEqual([]);
  });

  it('workflow-worker: bundles the workflow code at build time and points SYNAPSE_WORKFLOW_BUNDLE at that bundle', () => {
    const model = dockerfileOf(image('workflow-worker'));
    const build = model.stages.find((stage) => stage.name === 'build')!;
    const runs = build.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.arguments).join('\n');
    expect(runs).toMatch(/nx run workflow-worker:bundle[\s\S]*copy-runtime-files\.js/);
    // Where the bundle script writes by default, and so where the build above put it.
    const worker = require(path.join(ROOT, 'apps/workflow-worker/dist/worker.js')) as { DEFAULT_WORKFLOW_BUNDLE_PATH: string };
    expect(model.env.SYNAPSE_WORKFLOW_BUNDLE).toBe(`/app/${path.relative(ROOT, worker.DEFAULT_WORKFLOW_BUNDLE_PATH)}`);
  });

  it('codec-server: listens on every interface inside the container, on the agreed default port', () => {
    const model = dockerfileOf(image('codec-server'));
    expect(model.env).toMatchObject({ SYNAPSE_CODEC_SERVER_HOST: '0.0.0.0', SYNAPSE_CODEC_SERVER_PORT: '8888' });
  });

  it('device-sim: ships the loopback relay the compose gateway runs, and the simulators keep their real CLI flags', () => {
    const deviceSim = dockerfileOf(image('device-sim'));
    const runs = deviceSim.stages.flatMap((s) => s.instructions).filter((i) => i.keyword === 'RUN').map((i) => i.arguments).join('\n');
    expect(runs).toMatch(/copy-runtime-files\.js \/runtime tools\/device-sim tools\/deployment/);
    expect(() => deviceSimCli.parseCliArgs(deviceSim.cmd!.slice(2))).not.toThrow();
    const infrahubSim = dockerfileOf(image('infrahub-sim'));
    expect(infrahubSimCli.parseCliArgs(infrahubSim.cmd!.slice(2))).toMatchObject({ host: '0.0.0.0', port: 8000 });
  });
});

function sourcesMention(dirs: string[], pattern: RegExp): string[] {
  const hits: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && pattern.test(readFileSync(full, 'utf8'))) hits.push(path.relative(ROOT, full));
    }
  };
  for (const dir of dirs) walk(path.join(ROOT, dir));
  return hits;
}

describe('.dockerignore', () => {
  const ignored = readText('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

  it('keeps build output, dependencies, local state and secrets out of the build context', () => {
    for (const entry of ['**/node_modules', '**/dist', '.data', '.git', '.nx', 'tools/temporal/bin', 'deploy', '.env']) expect(ignored).toContain(entry);
  });

  it('keeps what the build stage needs: sources, manifests and the lockfile', () => {
    for (const entry of ignored) expect(['package.json', 'package-lock.json', 'apps', 'libs', 'tools', 'nx.json', 'tsconfig.base.json']).not.toContain(entry);
  });
});

describe('the image rules, on broken Dockerfiles', () => {
  const deviceWorker = readText('apps/device-worker/Dockerfile');
  const problemsOf = (text: string) => dockerfileProblems(parseDockerfile(text), { root: ROOT, appDir: 'apps/device-worker' });

  it('the real file passes, so each failure below comes from its one change', () => {
    expect(problemsOf(deviceWorker)).toEqual([]);
  });

  it('refuses an Alpine (musl) runtime', () => {
    const broken = deviceWorker.replace('FROM node:${NODE_VERSION}-bookworm-slim AS runtime', 'FROM node:${NODE_VERSION}-alpine AS runtime');
    expect(problemsOf(broken)).toEqual([expect.stringContaining('node:20-alpine is musl-based')]);
  });

  it('refuses a runtime without USER, or with USER root', () => {
    expect(problemsOf(deviceWorker.replace('\nUSER node\n', '\n'))).toEqual(['no USER in the runtime stage: the app would run as root']);
    expect(problemsOf(deviceWorker.replace('\nUSER node\n', '\nUSER root\n'))).toEqual(['USER root is root']);
  });

  it('refuses a CMD whose script has no source file', () => {
    const broken = deviceWorker.replace('CMD ["node", "apps/device-worker/dist/main.js"]', 'CMD ["node", "apps/device-worker/dist/mian.js"]');
    expect(problemsOf(broken)).toEqual(['apps/device-worker/dist/mian.js would be built from apps/device-worker/src/mian.ts, which does not exist']);
    const notBuilt = deviceWorker.replace('CMD ["node", "apps/device-worker/dist/main.js"]', 'CMD ["node", "apps/device-worker/src/main.ts"]');
    expect(problemsOf(notBuilt)).toEqual(['apps/device-worker/src/main.ts is not a build output (<package>/dist/<name>.js)']);
  });

  it('refuses a single-stage build that copies sources into the runtime', () => {
    const single = ['FROM node:20-bookworm-slim', 'WORKDIR /app', 'COPY . .', 'RUN npm ci && npx nx run device-worker:build', 'ENV NODE_ENV=production', 'USER node', 'CMD ["node", "apps/device-worker/dist/main.js"]'].join('\n');
    expect(problemsOf(single)).toEqual(
      expect.arrayContaining([
        'single-stage build: the compiler, dev dependencies and sources would ship in the image',
        'the runtime stage copies from the build context: sources belong in the build stage only',
      ]),
    );
  });

  it('refuses exposed ports without a healthcheck, and a healthcheck on a variable the image does not set', () => {
    const noHealthcheck = deviceWorker.replace(/HEALTHCHECK[^\n]*\\\n[^\n]*\n/, '');
    expect(problemsOf(noHealthcheck)).toEqual(['EXPOSE 8080 9464 but no HEALTHCHECK']);
    const wrongVariable = deviceWorker.replace('"--address-from", "SYNAPSE_HEALTH_ADDRESS"', '"--address-from", "SYNAPSE_HEALTH_ADDR"');
    expect(problemsOf(wrongVariable)).toEqual(['HEALTHCHECK reads SYNAPSE_HEALTH_ADDR, which the image does not set (ENV)']);
  });

  it('refuses a production-dependencies stage for another app, and a development NODE_ENV', () => {
    expect(problemsOf(deviceWorker.replace('--workspace=apps/device-worker', '--workspace=apps/infrahub-worker'))).toEqual([
      'no stage installs the production dependencies of apps/device-worker (npm ci --omit=dev --workspace=apps/device-worker)',
    ]);
    expect(problemsOf(deviceWorker.replace('ENV NODE_ENV=production', 'ENV NODE_ENV=development'))).toEqual(['NODE_ENV is "development" in the runtime stage, not "production"']);
  });
});
