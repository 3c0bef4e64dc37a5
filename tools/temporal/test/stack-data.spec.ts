import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resetStackData, stackData } from '../src/stack/stack-data';

/**
 * What `npm start` keeps between runs, and what `npm start -- --fresh`
 * removes: the devices' saved configs, Temporal's database and the backup
 * store, together; nothing else under the data directory, and nothing
 * outside it.
 */
describe('the stack’s data directory', () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-data-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function write(file: string, text = 'x'): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  }

  it('keeps Temporal’s database, the backups and the device configs in one directory', () => {
    expect(stackData({ SYNAPSE_STACK_DATA_DIR: root })).toMatchObject({
      temporalDb: path.join(root, 'temporal', 'dev.sqlite'),
      backups: path.join(root, 'backups'),
      documents: path.join(root, 'documents'),
      deviceState: path.join(root, 'stack', 'devices'),
      deviceInventory: path.join(root, 'stack', 'device-inventory.jsonl'),
    });
  });

  it('--fresh removes the device configs, Temporal’s database with its journal, and the backup store, and says so', () => {
    const data = stackData({ SYNAPSE_STACK_DATA_DIR: root });
    write(path.join(data.deviceState, 'leaf01.json'), '{}');
    write(data.temporalDb);
    write(`${data.temporalDb}-wal`);
    write(path.join(data.backups, '.git', 'HEAD'));
    write(path.join(data.documents, 'ab', `${'ab'.repeat(32)}.json`));
    const venv = write(path.join(root, 'venv', 'bin', 'python'));
    const log = write(data.temporalLog);

    const { removed, keptOutside } = resetStackData(data);

    expect(removed).toEqual([data.deviceState, data.temporalDb, `${data.temporalDb}-wal`, data.backups, data.documents]);
    expect(keptOutside).toEqual([]);
    for (const gone of removed) expect(fs.existsSync(gone)).toBe(false);
    // Not state of the stack: the Python venv, the server's log.
    expect(fs.existsSync(venv)).toBe(true);
    expect(fs.existsSync(log)).toBe(true);
  });

  it('--fresh leaves a database or backup store the operator put outside the data directory alone', () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'operator-backups-'));
    try {
      const data = stackData({ SYNAPSE_STACK_DATA_DIR: root, SYNAPSE_BACKUP_DIR: elsewhere });
      const backup = write(path.join(elsewhere, 'leaf01.json'));
      write(data.temporalDb);

      const { removed, keptOutside } = resetStackData(data);

      expect(removed).toEqual([data.temporalDb]);
      expect(keptOutside).toEqual([`backup store ${elsewhere} (SYNAPSE_BACKUP_DIR is outside ${root})`]);
      expect(fs.existsSync(backup)).toBe(true);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('--fresh on a stack that never ran removes nothing', () => {
    expect(resetStackData(stackData({ SYNAPSE_STACK_DATA_DIR: root }))).toEqual({ removed: [], keptOutside: [] });
  });
});
