import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GnmiError } from './errors';
import { loadConfigDocument } from './set-request';
import type { JsonObject } from './tree';

export class SavedConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SavedConfigError';
  }
}

/**
 * `--state-dir`: each device's saved config, `<dir>/<device>.json`, the way a
 * real device keeps its config on flash across reboots. A device without a
 * file boots with its topology's initial config.
 */
export class SavedConfigs {
  constructor(readonly dir: string) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new SavedConfigError(`cannot use state directory ${dir}: ${(error as Error).message}`, { cause: error });
    }
  }

  fileOf(device: string): string {
    return join(this.dir, `${device}.json`);
  }

  /** The config the device saved, checked against the device model; undefined when it never saved one. */
  read(device: string): JsonObject | undefined {
    const file = this.fileOf(device);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new SavedConfigError(`cannot read state file ${file}: ${(error as Error).message}`, { cause: error });
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new SavedConfigError(`state file ${file} is not valid JSON (${(error as Error).message}); fix or delete it`, { cause: error });
    }
    try {
      return loadConfigDocument(document);
    } catch (error) {
      const reason = error instanceof GnmiError ? error.message : String(error);
      throw new SavedConfigError(`state file ${file} is not a config ${device} accepts: ${reason}; fix or delete it`, { cause: error });
    }
  }

  /** Temp file, then rename: a process killed mid-write leaves the previous file whole, never half of one. */
  write(device: string, config: JsonObject): void {
    const file = this.fileOf(device);
    const temp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`);
      renameSync(temp, file);
    } catch (error) {
      throw new SavedConfigError(`${device}: the running config changed but could not be saved to ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
}
