import type { FastifyInstance } from 'fastify'
import fastifyRateLimit from '@fastify/rate-limit'
import type { Core } from '../core/app-core'
import { familyCalendar } from '../agenda/calendar'
import { familyOfFeedToken } from '../agenda/feed-token'

export interface PortalAgendaFeedOptions {
  core: Core
  /** Requests per minute and address: calendar apps poll every few hours, a guesser gets nowhere at this pace. */
  perMinute?: number
}

/** A token as feed-token.ts makes them: 32 bytes in base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/

/**
 * The families' agenda feeds, on the portal listener only: GET /agenda/<token>.ics with no session (calendar
 * apps have none: the secret URL is the credential). An unknown or replaced token is a plain 404.
 */
export async function portalAgendaFeedPlugin(app: FastifyInstance, opts: PortalAgendaFeedOptions): Promise<void> {
  await app.register(fastifyRateLimit, { global: false })
  app.get<{ Params: { file: string } }>(
    '/agenda/:file',
    { config: { rateLimit: { max: opts.perMinute ?? 30, timeWindow: '1 minute' } } },
    async (req, reply) => {
      // Never cached by a proxy (the body is a family's private days), nor indexed.
      reply.header('cache-control', 'private, no-store').header('x-robots-tag', 'noindex')
      const token = req.params.file.replace(/\.ics$/, '')
      const familyId = TOKEN.test(token) ? await familyOfFeedToken(opts.core, token) : null
      if (familyId === null) {
        return reply.code(404).type('text/plain; charset=utf-8').send('Ce lien d’agenda n’existe pas ou a été remplacé : copiez le nouveau lien depuis le portail, page « Mon compte ».')
      }
      const body = await familyCalendar(opts.core, familyId)
      return reply.type('text/calendar; charset=utf-8').header('content-disposition', 'inline; filename="reservations.ics"').send(body)
    }
  )
}
