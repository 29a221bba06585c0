/** The API's operations as its own OpenAPI document describes them, so a new route is swept without editing the sweep. */
export interface JsonSchema {
  type?: string;
  enum?: string[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
}

export type Scheme = 'userToken' | 'serviceToken' | 'adminToken';

export interface Operation {
  method: string;
  path: string;
  /** Empty = public. */
  schemes: Scheme[];
  body?: JsonSchema;
  query: { name: string; required: boolean; schema: JsonSchema }[];
  idempotencyKey: boolean;
}

interface OpenApiOperation {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

export async function loadOperations(baseUrl: string): Promise<Operation[]> {
  const doc = (await (await fetch(`${baseUrl}/api/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const params = op.parameters ?? [];
      return {
        method: method.toUpperCase(),
        path,
        schemes: (op.security ?? []).flatMap((s) => Object.keys(s) as Scheme[]),
        body: op.requestBody?.content['application/json']?.schema,
        query: params
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, required: p.required === true, schema: p.schema })),
        idempotencyKey: params.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key'),
      };
    }),
  );
}
