/**
 * The `postgres` profile of docker-compose.yml (deploy/postgres/compose.yaml,
 * included), parsed — there is no Docker engine to run it here — and held
 * against what with-postgres-server and `TEMPORAL_STACK=postgres npm start`
 * run: the same server release, the same search attributes and dynamic
 * config, every file it mounts or reads present, and the workers pointed at
 * it only when the profile is chosen.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { TEMPORAL_SERVER_VERSION } from '../src/postgres/server-binaries';
import { DEFAULT_HISTORY_SHARDS, DYNAMIC_CONFIG } from '../src/postgres/server-config';
import { PROJECT_SEARCH_ATTRIBUTES } from '../src/search-attributes';
import { WORKSPACE_ROOT } from '../src/workspace-paths';

type Service = {
  profiles?: string[];
  image?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  env_file?: string[];
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
};
type ComposeFile = { include?: Array<string | { path: string }>; services: Record<string, Service>; volumes?: Record<string, unknown> };

const PROFILE_FILE = 'deploy/postgres/compose.yaml';
const PROFILE_DIR = path.join(WORKSPACE_ROOT, path.dirname(PROFILE_FILE));
const read = (relative: string) => fs.readFileSync(path.join(WORKSPACE_ROOT, relative), 'utf8');
const main = parse(read('docker-compose.yml'), { merge: true }) as ComposeFile;
const profile = parse(read(PROFILE_FILE), { merge: true }) as ComposeFile;
const services = profile.services;
const envFile = (relative: string) =>
  Object.fromEntries(
    read(relative)
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

describe('the postgres profile of docker-compose.yml', () => {
  it('is included by docker-compose.yml, and every service in it is in the profile, so a plain `up` starts none', () => {
    expect((main.include ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.path))).toContain(PROFILE_FILE);
    expect(Object.keys(services).length).toBeGreaterThan(0);
    for (const [name, service] of Object.entries(services)) expect({ name, profiles: service.profiles }).toEqual({ name, profiles: ['postgres'] });
    // Compose merges included services into one project: no name may clash.
    for (const name of Object.keys(services)) expect(Object.keys(main.services)).not.toContain(name);
  });

  it('runs the official temporalio/server of the release the tooling builds, set up by admin-tools of the same release, on a pinned postgres', () => {
    const images = Object.values(services).map((service) => service.image!);
    expect(images).toContain(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    for (const image of images.filter((i) => i.startsWith('temporalio/'))) expect(image).toMatch(new RegExp(`:${TEMPORAL_SERVER_VERSION.replace(/\./g, '\\.')}$`));
    expect(images.find((image) => image.startsWith('postgres:'))).toMatch(/^postgres:\d+\.\d+$/);
  });

  it('starts the server on postgres12 only after the schema job finished, with the tooling’s shard count and dynamic config', () => {
    const server = Object.values(services).find((service) => service.image?.startsWith('temporalio/server:'))!;
    expect(server.environment).toMatchObject({ DB: 'postgres12', NUM_HISTORY_SHARDS: String(DEFAULT_HISTORY_SHARDS) });
    const [schemaJob] = Object.entries(server.depends_on ?? {}).find(([, dependency]) => dependency.condition === 'service_completed_successfully')!;
    expect(services[schemaJob]!.command!.join(' ')).toContain('setup-schema.sh');

    const mount = server.volumes!.map((volume) => volume.split(':')).find(([, target]) => server.environment!.DYNAMIC_CONFIG_FILE_PATH!.startsWith(`${target}/`))!;
    const dynamicConfigFile = path.join(PROFILE_DIR, mount[0]!, path.basename(server.environment!.DYNAMIC_CONFIG_FILE_PATH!));
    const values = Object.fromEntries(Object.entries(parse(fs.readFileSync(dynamicConfigFile, 'utf8')) as Record<string, Array<{ value: unknown }>>).map(([key, [entry]]) => [key, entry!.value]));
    expect(values).toEqual(DYNAMIC_CONFIG);
  });

  it("registers exactly contracts' search attributes, after the server is healthy", () => {
    const setup = Object.values(services).find((service) => service.command?.some((arg) => arg.endsWith('setup-namespace.sh')))!;
    const registered = setup.command!.filter((arg) => /^\w+=\w+$/.test(arg));
    expect(registered.sort()).toEqual(PROJECT_SEARCH_ATTRIBUTES.map((a) => `${a.name}=${a.type}`).sort());
    expect(Object.values(setup.depends_on ?? {})).toEqual([{ condition: 'service_healthy' }]);
  });

  it('mounts scripts and reads env files that exist, and keeps the password in an env file, not in the Compose file', () => {
    for (const service of Object.values(services)) {
      for (const file of service.env_file ?? []) expect(fs.existsSync(path.join(PROFILE_DIR, file))).toBe(true);
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect({ volume, exists: fs.existsSync(path.join(PROFILE_DIR, source)) }).toEqual({ volume, exists: true });
        else expect(Object.keys(profile.volumes ?? {})).toContain(source);
      }
      for (const arg of [...(service.command ?? [])].filter((a) => a.startsWith('/scripts/'))) {
        expect(fs.existsSync(path.join(PROFILE_DIR, 'scripts', path.basename(arg)))).toBe(true);
      }
      expect(Object.keys(service.environment ?? {}).filter((name) => /PASSWORD|PWD/.test(name))).toEqual([]);
    }
    const credentials = envFile('deploy/postgres/postgres-credentials.env');
    expect(Object.keys(credentials).sort()).toEqual(['POSTGRES_PASSWORD', 'POSTGRES_PWD', 'SQL_PASSWORD']);
    expect(new Set(Object.values(credentials)).size).toBe(1);
  });

  it('publishes the server on loopback only, beside the dev server rather than on its port', () => {
    const published = Object.values(services).flatMap((service) => service.ports ?? []);
    for (const spec of published) expect(spec).toMatch(/^127\.0\.0\.1:/);
    const devServerPorts = (main.services.temporal!.ports ?? []).map((spec) => spec.split(':')[1]);
    for (const spec of published) expect(devServerPorts.map((p) => p!.replace(/\$\{TEMPORAL_PORT:-(\d+)\}/, '$1'))).not.toContain(spec.split(':')[1]);
  });

  it('points the workers and the Web UI at the PostgreSQL server through postgres.env, which also turns the profile on', () => {
    const env = envFile('deploy/postgres/postgres.env');
    expect(env.COMPOSE_PROFILES).toBe('postgres');
    const [host, port] = env.TEMPORAL_ADDRESS!.split(':');
    expect(services[host!]?.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    expect(port).toBe('7233');
    // The workers and the UI take their address from TEMPORAL_ADDRESS, so the env file reaches them.
    for (const name of ['workflow-worker', 'device-worker', 'infrahub-worker', 'temporal-ui']) {
      expect({ name, address: main.services[name]!.environment!.TEMPORAL_ADDRESS }).toEqual({ name, address: '${TEMPORAL_ADDRESS:-temporal:7233}' });
    }
  });
});
