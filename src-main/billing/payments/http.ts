/**
 * Server-to-server POSTs to payment providers (and to our own portal when a
 * simulator notifies it). Certificate checks stay on, except on loopback,
 * where the portal's own certificate is self-signed.
 */
import http from 'node:http'
import https from 'node:https'

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1'
}

export function postBody(url: string, body: string, contentType: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url)
  const lib = u.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      {
        method: 'POST',
        headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers },
        rejectUnauthorized: !isLoopback(u.hostname),
        timeout: 10_000
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      }
    )
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.end(body)
  })
}

/** Form POST; resolves with the status code. */
export async function postForm(url: string, fields: Record<string, string>): Promise<number> {
  return (await postBody(url, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded')).status
}
