import { openApiDocument } from '../../src/api/app';

/** The committed copy of the document the API serves, and the typed client's types generated from it. */
export const OPENAPI_JSON_PATH = 'docs/openapi.json';
export const CLIENT_SCHEMA_PATH = 'src/client/schema.d.ts';

/** docs/openapi.json as it should be for the code as it is now. */
export function renderOpenApiJson(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
