/**
 * A browser stand-in over real TLS sockets, for the back-office on the LAN
 * bound to loopback: a cookie jar, the CSRF token the API hands out, and a
 * chosen source address (`localAddress`: 127.0.0.2, 127.0.0.3… are all this
 * machine's loopback, so a test can be "another computer" without leaving
 * 127.0.0.0/8).
 *
 *   const c = httpsClient(port, '127.0.0.2')
 *   await c.call('auth-login', { login, password })   // { status, body }
 *   await tlsHandshake(port, '127.0.0.3')              // { ok: false, error: 'ECONNRESET' }
 */
import { request } from 'node:https'
import { connect, type ConnectionOptions } from 'node:tls'

export interface HttpsAnswer {
  status: number
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any
}

export function httpsClient(port: number, localAddress: string) {
  const jar = new Map<string, string>()
  let csrf = ''
  function send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpsAnswer> {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method,
          localAddress,
          rejectUnauthorized: false,
          agent: false,
          timeout: 10_000,
          headers: {
            host: `pc-accueil:${port}`,
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
            ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
            ...(csrf ? { 'x-csrf-token': csrf } : {})
          }
        },
        (res) => {
          let text = ''
          res.on('data', (d: Buffer) => (text += d.toString()))
          res.on('end', () => {
            for (const line of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
              const [pair] = line.split(';')
              const at = pair.indexOf('=')
              const value = pair.slice(at + 1)
              if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(pair.slice(0, at))
              else jar.set(pair.slice(0, at), value)
            }
            let parsed: unknown = text
            try {
              parsed = JSON.parse(text)
            } catch {
              /* an HTML page */
            }
            if (parsed && typeof parsed === 'object' && 'csrfToken' in parsed) csrf = String((parsed as { csrfToken: string }).csrfToken)
            resolve({ status: res.statusCode ?? 0, body: parsed })
          })
        }
      )
      req.on('error', reject)
      req.on('timeout', () => req.destroy(new Error('timeout')))
      req.end(payload)
    })
  }
  return {
    localAddress,
    jar,
    get: (path: string) => send('GET', path),
    async call(name: string, input: unknown = {}): Promise<HttpsAnswer> {
      if (!csrf && name !== 'auth-session') await send('POST', '/api/staff/auth-session', {})
      return send('POST', `/api/staff/${name}`, input)
    }
  }
}

/** Opens a TLS connection from `localAddress` and reports the certificate's fingerprint, or how it failed. */
export function tlsHandshake(port: number, localAddress: string): Promise<{ ok: true; fingerprint: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    // localAddress is handed to net.connect (Node's tls typings leave it out).
    const options = { host: '127.0.0.1', port, localAddress, rejectUnauthorized: false, servername: 'pc-accueil', timeout: 5000 } as ConnectionOptions
    const s = connect(options, () => {
      const fingerprint = s.getPeerX509Certificate()?.fingerprint256 ?? ''
      s.destroy()
      resolve({ ok: true, fingerprint })
    })
    s.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, error: e.code ?? e.message }))
    s.on('timeout', () => {
      s.destroy()
      resolve({ ok: false, error: 'timeout' })
    })
  })
}
