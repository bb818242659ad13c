import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services';
import { connectionView, connectionViewSchema, saveUnleashedCredentials } from '../sync/connect';

/** The tenant's connection to Unleashed: state with the quota meter, credentials, disconnect. */
export async function connectionRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
    const { services } = opts;
    const r = app.withTypeProvider<ZodTypeProvider>();

    const state = (tenant: Parameters<typeof connectionView>[1]) =>
        connectionView(services.store, tenant, services.pollCost);

    r.get(
        '/v1/connection',
        {
            schema: {
                tags: ['connection'],
                summary: 'Whether Unleashed is connected, the company, and this month’s API calls',
                response: { 200: connectionViewSchema }
            }
        },
        async (request) => state(request.tenant)
    );

    r.post(
        '/v1/connection/unleashed',
        {
            schema: {
                tags: ['connection'],
                summary: 'Check the Unleashed API id and key against Unleashed, then store them encrypted',
                // The values are checked by the rule, in the words an admin reads (sync/connect).
                body: z.object({
                    apiId: z.string().max(100).describe('the API id Unleashed shows (a GUID)'),
                    apiKey: z.string().max(500).describe('the API key shown next to it')
                }),
                response: { 200: connectionViewSchema }
            }
        },
        async (request) => {
            const tenant = await saveUnleashedCredentials(services, request.tenant.orgId, request.body);
            services.forget(tenant.orgId);
            request.log.info({ orgId: tenant.orgId }, 'Unleashed credentials stored');
            return state(tenant);
        }
    );

    r.delete(
        '/v1/connection',
        {
            schema: {
                tags: ['connection'],
                summary:
                    'Disconnect: revoke the Salesforce refresh token, delete the org’s credentials and its secret',
                response: { 204: z.null() }
            }
        },
        async (request, reply) => {
            const { revoked, revokeError } = await services.connect.disconnect(
                request.tenant,
                services.config
            );
            services.forget(request.tenant.orgId);
            if (revokeError) {
                request.log.warn(
                    { orgId: request.tenant.orgId, reason: revokeError },
                    'Salesforce refresh token not revoked; revoke it in the org (Connected Apps OAuth Usage)'
                );
            }
            request.log.info({ orgId: request.tenant.orgId, revoked }, 'tenant disconnected');
            return reply.code(204).send(null);
        }
    );
}
