#!/usr/bin/env node
import { brownfieldLab } from './brownfield';
import { generateFabric } from './fabric';
import type { Lab } from './lab-schema';
import { labToJson } from './load';
import { referenceLab } from './reference-lab';

/** `generate --spines 4 --leaves 996 > fabric.json`, or `generate --reference`; `--brownfield` for the brownfield twin. */
const USAGE = `usage: generate (--spines <n> --leaves <n> [--name <lab name>] [--mtu <bytes>] | --reference) [--brownfield] > lab.json`;

function wholeNumber(flag: string, text: string | undefined): number {
  if (text === undefined || !/^[0-9]+$/.test(text)) throw new Error(`${flag} needs a whole number, got "${text ?? ''}"`);
  return Number(text);
}

export function labJsonFromArgs(argv: string[]): string {
  let spines: number | undefined;
  let leaves: number | undefined;
  let name: string | undefined;
  let mtu: number | undefined;
  let reference = false;
  let brownfield = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case '--spines':
        spines = wholeNumber(flag, argv[++i]);
        break;
      case '--leaves':
        leaves = wholeNumber(flag, argv[++i]);
        break;
      case '--mtu':
        mtu = wholeNumber(flag, argv[++i]);
        break;
      case '--name': {
        name = argv[++i];
        if (!name) throw new Error('--name needs a value');
        break;
      }
      case '--reference':
        reference = true;
        break;
      case '--brownfield':
        brownfield = true;
        break;
      default:
        throw new Error(`unknown argument "${flag}"`);
    }
  }
  if (reference) {
    if (spines !== undefined || leaves !== undefined) throw new Error('--reference takes no --spines/--leaves');
    return labToJson(variant(referenceLab()));
  }
  if (spines === undefined || leaves === undefined) throw new Error('--spines and --leaves are both needed');
  return labToJson(variant(generateFabric({ spines, leaves, name, mtu })));

  function variant(lab: Lab): Lab {
    return brownfield ? brownfieldLab(lab) : lab;
  }
}

if (require.main === module) {
  try {
    process.stdout.write(labJsonFromArgs(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`generate: ${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}
