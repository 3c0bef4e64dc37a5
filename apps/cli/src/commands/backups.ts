import { Option, type Command } from 'commander';
import { diffConfigs, isEmptyDiff } from '@synapse/device-config';
import { backupDirFrom, BackupHistory, parseDevice, type BackupEntry } from '../backup-history';
import { unavailable } from '../cli-error';
import { configDiffLines, formatTime, table } from '../format';
import { addJsonOption, writeJson, writeLines } from '../options';

const DIR_HELP = 'the backup store (default: $SYNAPSE_BACKUP_DIR or <workspace>/.data/backups)';

export function registerBackups(program: Command): void {
  const backups = program
    .command('backups')
    .description("device config backups the device-worker took before each change (a git repository: one file per device, one commit per backup)");

  const list = backups
    .command('list')
    .argument('<device>', 'the device')
    .description("a device's backup history, newest first: backup id (the one change results show), time taken, change id, workflow id")
    .addOption(new Option('--dir <path>', DIR_HELP));
  addJsonOption(list, 'the history');
  list.action(async (deviceArg: string, options: { dir?: string; json?: boolean }) => {
    const device = parseDevice(deviceArg);
    const history = BackupHistory.open(backupDirFrom(options.dir));
    const entries = await history.list(device);
    if (options.json) return writeJson(entries);
    if (entries.length === 0) return writeLines([`no backups of ${device} in ${history.dir}`]);
    writeLines(
      table(
        ['BACKUP', 'TAKEN', 'CHANGE', 'WORKFLOW', 'REASON'],
        entries.map((e) => [e.backupId.slice(0, 12), formatTime(e.takenAt), e.changeId, e.workflowId, e.reason ?? '']),
      ),
    );
  });

  const diff = backups
    .command('diff')
    .argument('<device>', 'the device')
    .argument('<from>', 'the older backup: backup id (prefix, as change results and backups list show it), change id, latest or latest~N')
    .argument('<to>', 'the newer backup, named the same ways')
    .description('what changed between two backups of a device, path by path (gNMI paths, canonical comparison)')
    .addOption(new Option('--dir <path>', DIR_HELP))
    .addOption(new Option('--unified', "git's line diff of the two stored JSON documents instead").conflicts('json'))
    .addHelpText(
      'after',
      `
Paths are compared in canonical form (device-config's diffConfigs): member
order and module prefixes do not count. "+" is only in <to>, "-" only in
<from>, "~" changed.

Examples:
  synapse backups diff leaf01 latest~1 latest
  synapse backups diff leaf01 chg-20261128-140512-3f9a1c 9b1c2d3e
  synapse backups diff leaf01 latest~1 latest --unified`,
    );
  addJsonOption(diff, 'the path-level diff');
  diff.action(async (deviceArg: string, fromRef: string, toRef: string, options: { dir?: string; json?: boolean; unified?: boolean }) => {
    const device = parseDevice(deviceArg);
    const history = BackupHistory.open(backupDirFrom(options.dir));
    const entries = await history.list(device);
    const from = await history.resolve(device, fromRef, entries);
    const to = await history.resolve(device, toRef, entries);
    if (options.unified) {
      const text = await history.unifiedDiff(from, to);
      return writeLines([header(device, from, to), ...(text ? [text.trimEnd()] : ['no differences'])]);
    }
    const [before, after] = await Promise.all([history.read(from).then(parseDocument(from)), history.read(to).then(parseDocument(to))]);
    // Read as "what going from <from> to <to> did": diffConfigs' intended side is the newer one.
    const pathDiff = diffConfigs(after, before);
    if (options.json) return writeJson({ device, from, to, identical: isEmptyDiff(pathDiff), diff: pathDiff });
    writeLines([header(device, from, to), ...configDiffLines(pathDiff)]);
  });
}

function header(device: string, from: BackupEntry, to: BackupEntry): string {
  const describe = (e: BackupEntry) => `${e.backupId.slice(0, 12)} (${e.changeId}, ${formatTime(e.takenAt)})`;
  return `${device}: ${describe(from)} -> ${describe(to)}`;
}

function parseDocument(entry: BackupEntry): (content: Buffer) => unknown {
  return (content) => {
    try {
      return JSON.parse(content.toString('utf8'));
    } catch (err) {
      throw unavailable(`backup ${entry.backupId.slice(0, 12)} of ${entry.device} is not JSON: ${(err as Error).message}`);
    }
  };
}
