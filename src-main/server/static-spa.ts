import { existsSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import fastifyStatic from '@fastify/static'

/** Serves a built single-page app; unknown GET paths outside /api get index.html (client-side routes). */
export async function serveSpa(app: FastifyInstance, root: string | null): Promise<void> {
  if (!root || !existsSync(root)) {
    app.get('/', async (_req, reply) =>
      reply.type('text/html; charset=utf-8').send('<!doctype html><html lang="fr"><title>Ribambelle</title><p>Interface non construite : lancez <code>npm run build</code>.</p></html>')
    )
    return
  }
  await app.register(fastifyStatic, { root, wildcard: false, index: ['index.html'], cacheControl: true, maxAge: 0 })
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && !req.url.startsWith('/api/')) return reply.type('text/html; charset=utf-8').sendFile('index.html')
    reply.status(404).send({ error: { code: 'not_found', message: 'Adresse introuvable.' } })
  })
}
