import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DocumentStore } from '@synapse/device-config';

/**
 * The document store the tests' workers share, in-process and forked alike,
 * as the infrahub and device workers of a deployment share one volume.
 * Content-addressed and checked on read, so every test file can use the
 * same directory without stepping on another's documents.
 */
export const TEST_DOCUMENT_DIR = path.join(tmpdir(), 'synapse-test-documents');

export function testDocumentStore(): DocumentStore {
  return new DocumentStore({ dir: TEST_DOCUMENT_DIR });
}
