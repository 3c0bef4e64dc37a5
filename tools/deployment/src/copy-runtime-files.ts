#!/usr/bin/env node
/**
 * `node tools/deployment/dist/copy-runtime-files.js <out-dir> <package-dir>...`,
 * run from the workspace root in an image's build stage after the build:
 * copies each package and the workspace libraries it depends on at run time
 * (package.json + its `files`) into <out-dir>, in the workspace layout, for
 * the runtime stage to take in one COPY. Prints one JSON line naming them.
 */
import * as path from 'node:path';
import { copyRuntimeFiles } from './runtime-files';

const USAGE = 'usage: copy-runtime-files <out-dir> <package-dir>... (from the workspace root, after building the packages)';

function main(argv: string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [outDir, ...dirs] = argv;
  if (!outDir || dirs.length === 0) throw new UsageError('an output directory and at least one package directory are required');
  const copied = copyRuntimeFiles(process.cwd(), dirs, path.resolve(outDir));
  process.stdout.write(`${JSON.stringify({ out: path.resolve(outDir), packages: copied.map((p) => p.dir) })}\n`);
}

class UsageError extends Error {}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`copy-runtime-files: ${err instanceof Error ? err.message : String(err)}\n`);
  if (err instanceof UsageError) process.stderr.write(`${USAGE}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
}
