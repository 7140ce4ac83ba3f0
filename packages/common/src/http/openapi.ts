/**
 * The OpenAPI 3.1 document of a web service, generated from its routes' schemas.
 *
 * `documentRoutes(app, api)` adds an `onRoute` hook that records every route registered after
 * it (at start-up: nothing runs per request), and serves the document at
 * `GET /api/openapi.json`. A route's `schema` (`RouteSchema`) holds two kinds of parts:
 *
 * - what Fastify validates and serializes (`body`, `response`), as Fastify reads them, so the
 *   handler's types come from them through the type provider;
 * - `documented`: what the route's own code checks or writes (path parameters, a query, a
 *   body it parses itself, pages, pre-serialized JSON, the error handler's answers). These are
 *   documented only, never validated by Fastify: adding them changes no answer, no error
 *   message and no request's cost.
 *
 * Shared schemas (the error body, a poll) are given once as `components`: wherever a route's
 * schema uses that very object, the document refers to it (`$ref`).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { errorBodySchema } from './schemas.js';

/** A plain JSON Schema object (draft-07 keywords that OpenAPI 3.1 also understands). */
export type JsonSchema = { readonly [keyword: string]: unknown };

export interface DocumentedResponse {
  readonly description: string;
  /** Media type (`application/json`, `text/html`) → schema of the body. */
  readonly content?: { readonly [mediaType: string]: JsonSchema };
  readonly headers?: { readonly [name: string]: { readonly description: string; readonly schema: JsonSchema } };
}

export type DocumentedResponses = { readonly [status: number]: DocumentedResponse };

/** A response Fastify serializes: a schema (JSON), or a schema per media type. */
type FastifyResponse = JsonSchema | { readonly content: { readonly [mediaType: string]: { readonly schema: JsonSchema } } };

/** What the route's own code checks or writes: documented, never validated by Fastify. */
export interface DocumentedParts {
  readonly params?: JsonSchema;
  readonly querystring?: JsonSchema;
  readonly headers?: JsonSchema;
  readonly body?: JsonSchema;
  readonly responses?: DocumentedResponses;
}

declare module 'fastify' {
  // The documentation of a route, beside the parts Fastify reads (the names @fastify/swagger uses).
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: readonly string[];
    /** The body's media types; `application/json` when omitted. */
    consumes?: readonly string[];
    /** Security requirements (names of `ApiDescription.securitySchemes`). */
    security?: readonly { readonly [scheme: string]: readonly string[] }[];
    documented?: DocumentedParts;
  }
}

/** A route's `schema`: what Fastify validates and serializes, and the route's documentation. */
export interface RouteSchema extends FastifySchema {
  readonly summary: string;
  readonly body?: JsonSchema;
  readonly response?: { readonly [status: number]: FastifyResponse };
}

export interface ApiDescription {
  readonly title: string;
  readonly version: string;
  readonly description: string;
  readonly tags?: readonly { readonly name: string; readonly description: string }[];
  /** Shared schemas by name; the error body is always one (`Error`). */
  readonly schemas?: { readonly [name: string]: JsonSchema };
  readonly securitySchemes?: { readonly [name: string]: JsonSchema };
}

/**
 * The description of a service's API: what it serves, then what every service shares (the
 * error format, and the refusals that can come before any route; `refusedEarly`, as
 * `"408 REQUEST_TIMEOUT"`), with the version from the service's package.json.
 */
export function serviceApi(
  options: Omit<ApiDescription, 'version' | 'description'> & { packageJson: URL; serves: string; refusedEarly: readonly string[] },
): ApiDescription {
  const { packageJson, serves, refusedEarly, ...rest } = options;
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  return {
    ...rest,
    version,
    description:
      `${serves} Errors on /api/ paths are \`{"error":{"code","message"}}\`, elsewhere HTML pages; the codes are listed ` +
      `in the README ("The HTTP API"). Any request can also be refused before it reaches a route: ${refusedEarly.join(', ')}.`,
  };
}

/** The generated document: plain JSON. */
export type OpenApiDocument = { readonly openapi: string; readonly paths: Record<string, unknown> } & Record<string, unknown>;

interface RecordedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: RouteSchema | undefined;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const METHOD_ORDER = ['get', 'put', 'post', 'patch', 'delete', 'options'];
const documents = new WeakMap<FastifyInstance, () => OpenApiDocument>();

/** The path of the document on every service that calls `documentRoutes`. */
export const OPENAPI_PATH = '/api/openapi.json';

const openApiRoute = {
  summary: 'This OpenAPI document',
  description: 'Generated from the route schemas; a copy is committed in docs/api/.',
  tags: ['meta'],
  documented: {
    responses: { 200: { description: 'The OpenAPI 3.1 document of this service', content: { 'application/json': { type: 'object' } } } },
  },
} as const satisfies RouteSchema;

/**
 * Records every route registered on `app` after this call and serves the document at
 * `GET /api/openapi.json`. Call it after the hooks every route must get (security headers)
 * and before the routes.
 */
export function documentRoutes(app: FastifyInstance, api: ApiDescription): void {
  const routes: RecordedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // Fastify adds a HEAD route to every GET: its GET documents it.
    for (const method of methods) {
      if (method !== 'HEAD') routes.push({ method: method.toLowerCase(), url: route.url, schema: route.schema as RouteSchema | undefined });
    }
  });
  documents.set(app, () => buildDocument(api, routes));
  let json: string | undefined;
  // Served once every route is registered: built at the first request, then kept.
  app.get(OPENAPI_PATH, { schema: openApiRoute }, (_request, reply) => {
    json ??= openApiJson(buildDocument(api, routes));
    return reply.type(JSON_TYPE).send(json);
  });
}

/** The document of an app given to `documentRoutes`, from the routes registered so far. */
export function openApiDocumentOf(app: FastifyInstance): OpenApiDocument {
  const build = documents.get(app);
  if (build === undefined) throw new Error('this app was not given to documentRoutes()');
  return build();
}

/** The document as committed and served: two-space JSON and a final newline. */
export function openApiJson(document: OpenApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

function buildDocument(api: ApiDescription, routes: readonly RecordedRoute[]): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = { Error: errorBodySchema, ...api.schemas };
  const names = new Map<object, string>(Object.entries(schemas).map(([name, schema]) => [schema, name]));
  const ref = (schema: JsonSchema) => copy(schema, names);
  const paths: Record<string, Record<string, unknown>> = {};
  const sorted = [...routes].sort((a, b) => a.url.localeCompare(b.url) || METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method));
  for (const route of sorted) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    (paths[path] ??= {})[route.method] = operation(route, ref);
  }
  return {
    openapi: '3.1.0',
    info: { title: api.title, version: api.version, description: api.description },
    ...(api.tags ? { tags: api.tags } : {}),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, copy(schema, names, schema)])),
      ...(api.securitySchemes ? { securitySchemes: api.securitySchemes } : {}),
    },
  };
}

function operation(route: RecordedRoute, ref: (schema: JsonSchema) => unknown): Record<string, unknown> {
  const { schema } = route;
  if (schema?.summary === undefined) throw new Error(`${route.method.toUpperCase()} ${route.url} has no schema with a summary: document it`);
  const documented = schema.documented ?? {};
  const parameters = [
    ...parametersOf(documented.params, 'path', ref),
    ...parametersOf(documented.querystring, 'query', ref),
    ...parametersOf(documented.headers, 'header', ref),
  ];
  const body = schema.body ?? documented.body;
  return {
    summary: schema.summary,
    ...(schema.description === undefined ? {} : { description: schema.description }),
    ...(schema.tags === undefined ? {} : { tags: schema.tags }),
    ...(schema.security === undefined ? {} : { security: schema.security }),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(body === undefined ? {} : { requestBody: { required: true, content: Object.fromEntries((schema.consumes ?? ['application/json']).map((media) => [media, { schema: ref(body) }])) } }),
    responses: responsesOf(schema, ref),
  };
}

function parametersOf(schema: JsonSchema | undefined, where: 'path' | 'query' | 'header', ref: (schema: JsonSchema) => unknown): unknown[] {
  if (schema === undefined) return [];
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema.required ?? []) as readonly string[];
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.includes(name),
      ...(description === undefined ? {} : { description }),
      schema: ref(rest),
    };
  });
}

function responsesOf(schema: RouteSchema, ref: (schema: JsonSchema) => unknown): Record<string, unknown> {
  const merged = new Map<number, { description?: string; content: Record<string, unknown>; headers?: unknown }>();
  for (const [status, response] of Object.entries(schema.response ?? {})) {
    const entry = { content: {} as Record<string, unknown> };
    if (isContentMap(response)) {
      for (const [media, { schema: body }] of Object.entries(response.content)) entry.content[media] = { schema: ref(body) };
    } else {
      entry.content['application/json'] = { schema: ref(response) };
    }
    merged.set(Number(status), entry);
  }
  for (const [status, response] of Object.entries(schema.documented?.responses ?? {})) {
    const entry = merged.get(Number(status)) ?? { content: {} };
    entry.description = response.description;
    for (const [media, body] of Object.entries(response.content ?? {})) entry.content[media] = { schema: ref(body) };
    if (response.headers !== undefined) {
      entry.headers = Object.fromEntries(
        Object.entries(response.headers).map(([name, header]) => [name, { description: header.description, schema: ref(header.schema) }]),
      );
    }
    merged.set(Number(status), entry);
  }
  const responses: Record<string, unknown> = {};
  for (const status of [...merged.keys()].sort((a, b) => a - b)) {
    const { description, content, headers } = merged.get(status) as { description?: string; content: Record<string, unknown>; headers?: unknown };
    responses[String(status)] = {
      description: description ?? 'Success',
      ...(headers === undefined ? {} : { headers }),
      ...(Object.keys(content).length === 0 ? {} : { content }),
    };
  }
  return responses;
}

function isContentMap(response: FastifyResponse): response is { readonly content: { readonly [mediaType: string]: { readonly schema: JsonSchema } } } {
  return typeof response.content === 'object' && response.content !== null;
}

/** A deep copy as plain JSON, with every shared schema but `self` replaced by its `$ref`. */
function copy(value: unknown, names: ReadonlyMap<object, string>, self?: object): unknown {
  if (Array.isArray(value)) return value.map((item) => copy(item, names));
  if (typeof value !== 'object' || value === null) return value;
  const name = value === self ? undefined : names.get(value);
  if (name !== undefined) return { $ref: `#/components/schemas/${name}` };
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copy(item, names)]));
}
