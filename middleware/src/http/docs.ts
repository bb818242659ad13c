import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** OpenAPI generated from the zod schemas of every route, served at /docs (UI) and /docs/json. */
export const docsPlugin = fp(
    async (app: FastifyInstance) => {
        await app.register(swagger, {
            openapi: {
                info: {
                    title: 'Unleashed Connector middleware',
                    description:
                        'API the Salesforce package calls. Every /v1 request is signed: see the README, "Request signing".',
                    version: '1.0.0'
                },
                components: {
                    securitySchemes: {
                        connectorSignature: {
                            type: 'apiKey',
                            in: 'header',
                            name: 'X-Connector-Signature',
                            description:
                                'base64 HMAC-SHA256 over METHOD, path with query, timestamp, nonce and body hash; with X-Connector-Org, X-Connector-Timestamp and X-Connector-Nonce'
                        }
                    }
                }
            },
            transform: jsonSchemaTransform
        });
        await app.register(swaggerUi, { routePrefix: '/docs' });
    },
    { name: 'docs' }
);
