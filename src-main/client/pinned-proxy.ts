import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { request } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { PinnedAgent } from './server-certificate'

/**
 * The back-office of another computer, opened on this one: a proxy on
 * 127.0.0.1 that sends every request to the server through {@link PinnedAgent}
 * (TLS, and only to the certificate the user confirmed). The window (Electron)
 * or the browser (headless) talks to this loopback address, so the pinning is
 * the same code in both and no browser is asked to trust a self-signed
 * certificate.
 */
export interface PinnedProxy {
  url: string
  close(): Promise<void>
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']

function forwardHeaders(h: IncomingHttpHeaders, remoteHost: string, remoteOrigin: string): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...h, host: remoteHost }
  for (const k of HOP_BY_HOP) delete out[k]
  // The server sees its own origin, as a browser opened on it would send.
  if (out.origin) out.origin = remoteOrigin
  if (typeof out.referer === 'string') out.referer = out.referer.replace(/^http:\/\/[^/]+/, remoteOrigin)
  return out
}

/** The page is served over http://127.0.0.1: the server's own "upgrade to HTTPS" would send the browser nowhere. */
function localCsp(csp: string | string[] | undefined): string | undefined {
  if (csp === undefined) return undefined
  return String(csp)
    .split(';')
    .filter((d) => d.trim() !== 'upgrade-insecure-requests')
    .join(';')
}

const CHANGED_PAGE = (origin: string) =>
  `Le certificat du serveur ${origin} a changé : Ribambelle a refusé la connexion. Fermez Ribambelle et prévenez la direction.`

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify({ error: { code, message } }))
}

const escapeHtml = (t: string) => t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

export async function startPinnedProxy(origin: string, fingerprint: string, onRefused: (shown: string) => void, port = 0): Promise<PinnedProxy> {
  const remote = new URL(origin)
  const agent = new PinnedAgent(origin, fingerprint, onRefused)
  let self = ''
  let hosts: string[] = []
  const server: Server = createServer((req, res) => {
    // Like the back-office on this computer: another host name (DNS rebinding) or a page of another site is refused
    // here, since the server would only see this proxy's rewritten, trusted-looking request.
    if (!hosts.includes(req.headers.host ?? '')) return void refuse(res, 403, 'bad_host', 'Ce back-office n’est accessible que depuis ce poste.')
    if (req.headers.origin !== undefined && req.headers.origin !== self) return void refuse(res, 403, 'bad_origin', 'Requête refusée : elle vient d’un autre site.')
    const up = request(
      { agent, host: remote.hostname, port: Number(remote.port || 443), method: req.method, path: req.url, headers: forwardHeaders(req.headers, remote.host, origin) },
      (r) => {
        const headers = { ...r.headers }
        for (const k of HOP_BY_HOP) delete headers[k]
        delete headers['strict-transport-security']
        const csp = localCsp(headers['content-security-policy'])
        if (csp !== undefined) headers['content-security-policy'] = csp
        res.writeHead(r.statusCode ?? 502, headers)
        r.pipe(res)
      }
    )
    up.on('error', (e) => {
      if (res.headersSent) return void res.destroy()
      const changed = (e as { code?: string }).code === 'certificate_changed'
      const message = changed ? CHANGED_PAGE(origin) : `Le serveur ${origin} ne répond pas. Vérifiez que Ribambelle y est lancé puis réessayez.`
      // A page load gets a page that says it; the back-office's own calls get the usual French error body.
      if (String(req.headers.accept ?? '').includes('text/html')) {
        res.writeHead(502, { 'content-type': 'text/html; charset=utf-8' })
        return void res.end(`<!doctype html><html lang="fr"><meta charset="utf-8"><title>Ribambelle — connexion refusée</title><main><h1>Connexion refusée</h1><p>${escapeHtml(message)}</p></main></html>`)
      }
      refuse(res, 502, changed ? 'certificate_changed' : 'server_unreachable', message)
    })
    req.pipe(up)
  })
  // WebSocket (and any HTTP/1.1 upgrade): the same checks, then the two sockets joined through the pinned TLS one.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const deny = (status: number, message: string) => socket.end(`HTTP/1.1 ${status} ${message}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
    if (!hosts.includes(req.headers.host ?? '')) return void deny(403, 'Forbidden')
    if (req.headers.origin !== undefined && req.headers.origin !== self) return void deny(403, 'Forbidden')
    const headers = { ...forwardHeaders(req.headers, remote.host, origin), connection: 'Upgrade', upgrade: String(req.headers.upgrade ?? '') }
    const up = request({ agent, host: remote.hostname, port: Number(remote.port || 443), method: req.method, path: req.url, headers })
    up.on('upgrade', (r, upSocket, upHead) => {
      const lines = [`HTTP/1.1 ${r.statusCode} ${r.statusMessage ?? ''}`]
      for (let i = 0; i < r.rawHeaders.length; i += 2) lines.push(`${r.rawHeaders[i]}: ${r.rawHeaders[i + 1]}`)
      socket.write(lines.join('\r\n') + '\r\n\r\n')
      if (upHead.length) socket.write(upHead)
      if (head.length) upSocket.write(head)
      upSocket.on('error', () => socket.destroy())
      socket.on('error', () => upSocket.destroy())
      upSocket.pipe(socket).pipe(upSocket)
    })
    // The server declined the upgrade (an ordinary answer): pass its status on, then close.
    up.on('response', (r) => {
      deny(r.statusCode ?? 502, r.statusMessage ?? 'Bad Gateway')
      r.resume()
    })
    up.on('error', () => deny(502, 'Bad Gateway'))
    socket.on('error', () => up.destroy())
    up.end()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const bound = (server.address() as AddressInfo).port
  self = `http://127.0.0.1:${bound}`
  hosts = [`127.0.0.1:${bound}`, `localhost:${bound}`]
  return {
    url: self,
    close: () =>
      new Promise((resolve) => {
        agent.destroy()
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}
