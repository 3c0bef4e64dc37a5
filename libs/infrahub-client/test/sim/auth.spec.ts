import { failure, everythingIn, recordingLogger, testClient } from '../helpers';
import { DEFAULT_LAB_API_TOKEN, DEFAULT_LAB_USER, startSim } from './sim-helpers';

/**
 * Every way the client authenticates, against the simulator's JWT sessions:
 * API token, login, expiry with refresh, and refresh expiry with a new login.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (lines: string[], text: string) => lines.filter((l) => l.includes(text)).length;

describe('authentication against the simulator', () => {
  it('reads and writes with an API token', async () => {
    const sim = await startSim();
    const client = testClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN });
    try {
      expect(client.authMode).toBe('token');
      await client.setDeploymentState({ device: 'leaf01', state: 'deploying', changeId: 'chg-a1' });
      expect((await client.getDevice('leaf01')).deployment.state).toBe('deploying');
    } finally {
      client.close();
      await sim.stop();
    }
  });

  it('refuses a wrong API token as AuthFailed without repeating it', async () => {
    const sim = await startSim();
    const client = testClient({ address: sim.address, apiToken: 'wrong-token-1234' });
    try {
      const err = await failure(client.getDevice('leaf01'));
      expect(err.type).toBe('AuthFailed');
      expect(err.message).toMatch(/credentials refused \(HTTP 401, auth mode token\): Invalid token/);
      expect(everythingIn(err)).not.toContain('wrong-token-1234');
    } finally {
      client.close();
      await sim.stop();
    }
  });

  it('refuses anonymous access unless the server allows anonymous reads, and never anonymous writes', async () => {
    const closed = await startSim();
    const open = await startSim({ allowAnonymousRead: true });
    const toClosed = testClient({ address: closed.address });
    const toOpen = testClient({ address: open.address });
    try {
      expect((await failure(toClosed.listDevices())).type).toBe('AuthFailed');
      expect(await toOpen.listDevices()).toHaveLength(3);
      const write = await failure(toOpen.setDeploymentState({ device: 'leaf01', state: 'deployed', changeId: 'chg-a2' }));
      expect(write.type).toBe('AuthFailed');
      expect(write.message).toMatch(/Authentication is required/);
    } finally {
      toClosed.close();
      toOpen.close();
      await closed.stop();
      await open.stop();
    }
  });

  it('logs in with username and password and works with the session', async () => {
    const sim = await startSim();
    const logger = recordingLogger();
    const client = testClient({ address: sim.address, username: DEFAULT_LAB_USER.username, password: DEFAULT_LAB_USER.password, logger });
    try {
      expect(client.authMode).toBe('password');
      await client.recordDeployment({ device: 'spine01', state: 'in-sync', changeId: 'chg-a3' });
      expect((await client.getDevice('spine01')).deployment).toMatchObject({ state: 'in-sync', lastChangeId: 'chg-a3' });
      expect(count(logger.lines, 'logged in as admin')).toBe(1);
    } finally {
      client.close();
      await sim.stop();
    }
  });

  it('refreshes an expired access token ("Expired Signature") and replays the request', async () => {
    const sim = await startSim({ accessTokenTtlSeconds: 0.4 });
    const logger = recordingLogger();
    const client = testClient({ address: sim.address, username: DEFAULT_LAB_USER.username, password: DEFAULT_LAB_USER.password, logger });
    try {
      await client.getDevice('leaf01');
      await sleep(600);
      // A write, replayed after the refresh: it must land exactly once and succeed.
      await client.setDeploymentState({ device: 'leaf01', state: 'deployed', changeId: 'chg-a4' });
      expect((await client.getDevice('leaf01')).deployment.lastChangeId).toBe('chg-a4');
      expect(count(logger.lines, 'access token refreshed')).toBe(1);
      expect(count(logger.lines, 'logged in as admin')).toBe(1);
    } finally {
      client.close();
      await sim.stop();
    }
  });

  it('logs in again when the refresh token has expired as well', async () => {
    const sim = await startSim({ accessTokenTtlSeconds: 0.3, refreshTokenTtlSeconds: 0.3 });
    const logger = recordingLogger();
    const client = testClient({ address: sim.address, username: DEFAULT_LAB_USER.username, password: DEFAULT_LAB_USER.password, logger });
    try {
      await client.listDevices();
      await sleep(500);
      await expect(client.listDevices({ role: 'spine' })).resolves.toHaveLength(1);
      expect(count(logger.lines, 'refresh token refused; logging in again')).toBe(1);
      expect(count(logger.lines, 'logged in as admin')).toBe(2);
      expect(logger.lines.join('\n')).not.toContain(DEFAULT_LAB_USER.password);
    } finally {
      client.close();
      await sim.stop();
    }
  });

  it('refuses a wrong password and an unknown user as AuthFailed without leaking the password', async () => {
    const sim = await startSim();
    const wrongPassword = testClient({ address: sim.address, username: 'admin', password: 'not-the-password' });
    const unknownUser = testClient({ address: sim.address, username: 'mallory', password: 'whatever-pass' });
    try {
      const bad = await failure(wrongPassword.getDevice('leaf01'));
      expect(bad.type).toBe('AuthFailed');
      expect(bad.message).toMatch(/login as "admin" was refused \(HTTP 401\): Incorrect password/);
      expect(everythingIn(bad)).not.toContain('not-the-password');
      const unknown = await failure(unknownUser.getDevice('leaf01'));
      expect(unknown.type).toBe('AuthFailed');
      expect(unknown.message).toMatch(/login as "mallory" was refused \(HTTP 404\)/);
      expect(everythingIn(unknown)).not.toContain('whatever-pass');
    } finally {
      wrongPassword.close();
      unknownUser.close();
      await sim.stop();
    }
  });

  it('refuses a write by a read-only user as AuthFailed (403)', async () => {
    const sim = await startSim({ users: [{ username: 'viewer', password: 'viewer-pass', readOnly: true }] });
    const client = testClient({ address: sim.address, username: 'viewer', password: 'viewer-pass' });
    try {
      await expect(client.branchExists('main')).resolves.toBe(true);
      const err = await failure(client.createBranch('viewer-branch'));
      expect(err.type).toBe('AuthFailed');
      expect(err.message).toMatch(/permission denied \(HTTP 403, auth mode password\)/);
    } finally {
      client.close();
      await sim.stop();
    }
  });
});
