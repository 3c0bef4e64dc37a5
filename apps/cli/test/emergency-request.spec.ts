import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CliError } from '../src/cli-error';
import { emergencyRequestFromFlags, parseUpdate, type EmergencyFlags } from '../src/emergency-request';

const base: EmergencyFlags = { devices: ['leaf01'], reason: 'peer flapping', ticket: 'INC-1', requester: 'alice', update: ['/interface[name=ethernet-1/1]/admin-state=disable'] };

function refusal(flags: EmergencyFlags): string {
  try {
    emergencyRequestFromFlags(flags, {});
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    return (err as Error).message;
  }
  throw new Error('expected the flags to be refused');
}

describe('synapse emergency flags', () => {
  it('builds the request the workflow parses, with the reduced validation', () => {
    const request = emergencyRequestFromFlags({ ...base, revertAfter: '1h30m', preemptTimeout: '2m' }, {}, new Date('2026-11-28T03:04:05Z'));
    expect(request).toMatchObject({
      changeId: expect.stringMatching(/^em-20261128-030405-[0-9a-f]{6}$/),
      devices: ['leaf01'],
      source: { kind: 'patch', patch: { update: [{ path: '/interface[name=ethernet-1/1]/admin-state', value: 'disable' }], delete: [] } },
      revertAfterSeconds: 5400,
      preemptTimeoutSeconds: 120,
      validation: { settleTimeoutSeconds: 15, commitConfirmed: true },
    });
  });

  it('splits PATH=VALUE at the first = outside the keys and reads JSON values', () => {
    expect(parseUpdate('/interface[name=ethernet-1/1]/mtu=9000')).toEqual({ path: '/interface[name=ethernet-1/1]/mtu', value: 9000 });
    expect(parseUpdate('/interface[name=e1]/description=uplink = spine')).toEqual({ path: '/interface[name=e1]/description', value: 'uplink = spine' });
    expect(() => parseUpdate('/interface[name=ethernet-1/1]/mtu')).toThrow('expected PATH=VALUE');
  });

  it('names each missing field with its flag', () => {
    const message = refusal({ ...base, reason: undefined, ticket: '  ' });
    expect(message).toContain('reason (--reason): an emergency change needs a reason');
    expect(message).toContain('ticket (--ticket): an emergency change needs a ticket');
  });

  it('wants exactly one source: a patch or the intent', () => {
    expect(refusal({ ...base, update: undefined })).toContain('say what to apply');
    expect(refusal({ ...base, intent: true })).toContain('--update/--delete and --intent cannot be combined');
    expect(refusal({ ...base, branch: 'b' })).toContain('--branch only goes with --intent');
    expect(emergencyRequestFromFlags({ ...base, update: undefined, intent: true, branch: 'fix' }, {}).source).toEqual({ kind: 'intent', branch: 'fix' });
  });

  it('reads a patch file, and says what is wrong with a bad one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synapse-patch-'));
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ delete: ['/interface[name=ethernet-1/2]'] }));
    expect(emergencyRequestFromFlags({ ...base, update: undefined, patchFile: good }, {}).source).toEqual({ kind: 'patch', patch: { update: [], delete: ['/interface[name=ethernet-1/2]'] } });
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"update": [');
    expect(refusal({ ...base, update: undefined, patchFile: bad })).toContain(`--patch-file ${bad}: not JSON`);
    expect(refusal({ ...base, update: undefined, patchFile: path.join(dir, 'missing.json') })).toContain('ENOENT');
    const mgmt = path.join(dir, 'mgmt.json');
    writeFileSync(mgmt, JSON.stringify({ delete: ['/interface[name=mgmt0]'] }));
    expect(refusal({ ...base, update: undefined, patchFile: mgmt })).toContain('source.patch.delete.0 (--delete/--patch-file): /interface[name=mgmt0] is under /interface[name=mgmt0]');
  });

  it('refuses a time to live that is not a duration', () => {
    expect(refusal({ ...base, revertAfter: 'soon' })).toContain('--revert-after: "soon" is not an interval');
  });
});
