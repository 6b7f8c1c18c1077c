import { readFileSync } from 'fs';
import { join } from 'path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
// The UI helpers SwaggerModule.setup itself uses; setup's own UI needs @fastify/static, which
// this project does not install, so the few UI files are served below instead.
import {
  buildSwaggerHTML,
  buildSwaggerInitJS,
  getSwaggerAssetsAbsoluteFSPath,
} from '@nestjs/swagger/dist/swagger-ui';

/** The files the Swagger UI page loads, and their types (nothing else is served from the folder). */
const UI_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-16x16.png': 'image/png',
  'favicon-32x32.png': 'image/png',
};

/**
 * OpenAPI of the gateway's HTTP routes, from the controllers' decorators: the JSON at
 * `/openapi.json`, the Swagger UI at `/docs`. Both are public (the document describes the API,
 * it grants nothing).
 */
export function setupOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Card authorisation engine: gateway')
    .setDescription(
      'Back office (http-and-events.md) and the HTTP network interface. Money is {minor: "<integer minor units>", currency: "<ISO 4217>"}.',
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'A back-office key (security.backOfficeKeys)',
    })
    .build();
  let document: ReturnType<typeof SwaggerModule.createDocument> | undefined;
  const getDocument = () => (document ??= SwaggerModule.createDocument(app, config));
  SwaggerModule.setup('docs', app, getDocument, {
    ui: false,
    raw: ['json'],
    jsonDocumentUrl: '/openapi.json',
  });

  const fastify = app.getHttpAdapter().getInstance();
  const assets = getSwaggerAssetsAbsoluteFSPath();
  let html: string | undefined;
  let initJs: string | undefined;
  fastify.get('/docs', (_request, reply) =>
    reply.type('text/html; charset=utf-8').send((html ??= buildSwaggerHTML('/docs/'))),
  );
  fastify.get('/docs/swagger-ui-init.js', (_request, reply) =>
    reply.type('application/javascript; charset=utf-8').send((initJs ??= buildSwaggerInitJS(getDocument()))),
  );
  fastify.get<{ Params: { asset: string } }>('/docs/:asset', (request, reply) => {
    const type = UI_ASSETS[request.params.asset];
    if (type === undefined)
      return reply.status(404).send({ error: { code: 'not-found', reason: 'unknown file' } });
    return reply.type(type).send(readFileSync(join(assets, request.params.asset)));
  });
}
