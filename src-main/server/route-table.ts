import type { FastifyInstance } from 'fastify'

export interface RouteEntry {
  method: string
  url: string
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route this app serves, as registered (tests derive the listener-separation checks from it). */
    routeTable: RouteEntry[]
  }
}

/** Records the app's routes as they are registered: call it before registering any. */
export function trackRoutes(app: FastifyInstance): void {
  const table: RouteEntry[] = []
  app.decorate('routeTable', table)
  app.addHook('onRoute', (r) => {
    for (const method of ([] as string[]).concat(r.method)) if (method !== 'HEAD') table.push({ method, url: r.url })
  })
}
