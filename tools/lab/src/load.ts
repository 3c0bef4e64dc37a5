import { readFileSync } from 'node:fs';
import { parseInput, SynapseError } from '@synapse/contracts';
import { Lab } from './lab-schema';

/**
 * Read a lab from JSON (the format `generate` writes). Every failure is a
 * non-retryable InvalidInput whose message names the file and each offending
 * field, e.g. `lab file fabric.json: devices.3.asn: Too big`.
 */
export function parseLab(value: unknown, source = 'lab'): Lab {
  return parseInput(Lab, value, source);
}

export function loadLabFile(path: string): Lab {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SynapseError('InvalidInput', `lab file ${path}: ${(error as Error).message}`, { path }, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SynapseError('InvalidInput', `lab file ${path}: not valid JSON (${(error as Error).message})`, { path }, { cause: error });
  }
  return parseLab(value, `lab file ${path}`);
}

/** The JSON a lab file holds: defaults written out, so the file says everything. */
export function labToJson(lab: Lab): string {
  return `${JSON.stringify(lab, null, 2)}\n`;
}
