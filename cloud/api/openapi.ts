import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { ROLES } from '../access/roles.js';
import type { RouteAccess } from './access-port.js';

/** What the document calls each part of a request, as parseInput names them in errors. */
const PART_NAMES: Readonly<Record<string, string>> = {
  body: 'body',
  params: 'params',
  querystring: 'query',
  headers: 'headers',
};

/**
 * Fastify's validator for every route schema: the route's zod schema itself,
 * failing as the handlers' own checks always did, with
 * EMBER_ERR_API_BAD_REQUEST naming the first bad field
 * (`body.readings.3.ts: …`). The same schemas make the OpenAPI document.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  const where = PART_NAMES[httpPart ?? 'body'] ?? String(httpPart);
  return (data: unknown) => {
    const parsed = schema.safeParse(data);
    if (parsed.success) return { value: parsed.data };
    const issue = parsed.error.issues[0];
    const path = [where, ...(issue?.path.map(String) ?? [])].join('.');
    return { error: new EmberError('EMBER_ERR_API_BAD_REQUEST', `${path}: ${issue?.message ?? 'invalid'}`) };
  };
};

/** Who may call a route, in words for the document and its page. */
export function accessWords(access: RouteAccess): string {
  if (access === 'public') return 'anyone';
  if (access === 'device') return 'a device, with the signed URL it was given';
  const allowed = ROLES.slice(ROLES.indexOf(access));
  if (allowed.length === 1) return `${access} only`;
  return `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1) ?? ''}`;
}

const SIGNED_IN: { [scheme: string]: string[] }[] = [{ apiToken: [] }, { session: [] }];

/** The route's zod schemas as JSON Schema, and who may call it. */
const transform: typeof jsonSchemaTransform = (input) => {
  const result = jsonSchemaTransform(input);
  const access = input.route.config?.access;
  if (access === undefined) return result;
  const schema = result.schema as FastifySchema & Record<string, unknown>;
  const signedIn = access !== 'public' && access !== 'device';
  return {
    ...result,
    schema: { ...schema, 'x-access': access, ...(signedIn ? { security: SIGNED_IN } : { security: [] }) },
  };
};

export interface OpenApiSettings {
  /** The package's version, the document's `info.version`. */
  readonly version: string;
  /** The session cookie's name (depends on TLS). */
  readonly sessionCookie: string;
}

/**
 * Collects every route's schema into an OpenAPI 3.1 document
 * (@fastify/swagger, with fastify-type-provider-zod turning the zod schemas
 * into JSON Schema) and makes those same schemas the routes' validators.
 * Register before any route. Every route must carry a `schema.summary`:
 * one without cannot be registered, so nothing goes undocumented.
 */
export async function registerOpenApi(app: FastifyInstance, settings: OpenApiSettings): Promise<void> {
  app.setValidatorCompiler(zodValidatorCompiler);
  app.addHook('onRoute', (route) => {
    const summary = route.schema?.summary;
    if (typeof summary !== 'string' || summary.trim() === '') {
      throw new Error(
        `route ${String(route.method)} ${route.url} has no schema.summary for the API document`,
      );
    }
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Emberwatch cloud API',
        version: settings.version,
        description:
          'Fleet, incidents, models, rollouts, learning, alerts, inference and live events. ' +
          'Every route says who may call it (x-access). Errors are {"error":{"code","message"}} ' +
          'with a stable EMBER_ERR_… code.',
      },
      components: {
        securitySchemes: {
          apiToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token (ewt_…) from `emberwatch tokens create`',
          },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: settings.sessionCookie,
            description: 'The dashboard session from POST /v1/session; changes need x-csrf-token',
          },
        },
      },
    },
    transform,
  });
}
