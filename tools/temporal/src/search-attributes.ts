import { SEARCH_ATTRIBUTES } from '@synapse/contracts';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** The type names `temporal server start-dev --search-attribute` accepts. */
export type CliSearchAttributeType = 'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export interface SearchAttributeDefinition {
  name: string;
  type: CliSearchAttributeType;
}

/** Every custom search attribute the workers set, from contracts. */
export const PROJECT_SEARCH_ATTRIBUTES: readonly SearchAttributeDefinition[] = Object.values(SEARCH_ATTRIBUTES);

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

const INDEXED_VALUE_TYPES: Record<CliSearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  Text: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

export function searchAttributeFlags(attributes: readonly SearchAttributeDefinition[]): string[] {
  return attributes.flatMap(({ name, type }) => ['--search-attribute', `${name}=${type}`]);
}

/**
 * The dev server registers `--search-attribute`s only when it creates its
 * database; on an existing SQLite file (the persistent `npm start` one) an
 * attribute added to contracts since would be missing. So after start we
 * list what the namespace has and add what is not there. A name registered
 * with another type cannot be changed in place: that fails with a way out.
 */
export async function ensureSearchAttributesRegistered(
  connection: Connection,
  namespace: string,
  attributes: readonly SearchAttributeDefinition[],
  dbFile: string,
): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const registered = customAttributes ?? {};
  const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const { name, type } of attributes) {
    const wanted = INDEXED_VALUE_TYPES[type];
    const existing = registered[name];
    if (existing === undefined) {
      missing[name] = wanted;
    } else if (existing !== wanted) {
      throw new Error(
        `search attribute ${name} is registered in namespace "${namespace}" as ${IndexedValueType[existing]}, but the project needs ${type}. ` +
          `A type cannot be changed in place: stop the server and delete ${dbFile} (its workflow history goes with it).`,
      );
    }
  }
  if (Object.keys(missing).length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  }
}
