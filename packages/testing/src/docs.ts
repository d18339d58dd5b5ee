import type { FastifyInstance } from 'fastify';
import { routeSchemaProblems } from '@platform/http';

/**
 * What keeps an app's OpenAPI document from being complete: routes missing a schema, a route
 * absent from /docs/json, or a docs page that does not answer. Empty when all is well.
 */
export async function documentationProblems(app: FastifyInstance): Promise<string[]> {
  await app.ready();
  const problems = routeSchemaProblems(app);
  const doc = await app.inject('/docs/json');
  if (doc.statusCode !== 200) return [...problems, `/docs/json answered ${doc.statusCode}`];
  const spec = doc.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
  if (!spec.openapi.startsWith('3.')) problems.push(`/docs/json is not OpenAPI 3 (${spec.openapi})`);
  for (const r of app.routeCatalog) {
    if (r.method === 'HEAD' || r.url.startsWith('/docs') || r.schema?.hide === true) continue;
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    if (!spec.paths[path]?.[r.method.toLowerCase()]) problems.push(`${r.method} ${r.url}: not in /docs/json`);
  }
  const page = await app.inject('/docs/');
  if (page.statusCode !== 200 || !String(page.headers['content-type']).startsWith('text/html'))
    problems.push(`/docs/ answered ${page.statusCode} ${String(page.headers['content-type'])}`);
  return problems;
}
