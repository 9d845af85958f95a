/**
 * File helpers for #3's tests: tiny real PDF/PNG/JPEG bodies (file-type
 * recognises them by content), hostile payloads, and multipart uploads and
 * downloads over `inject` with a TestClient's cookies and CSRF token.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { TestClient } from './http'

export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1'
)
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex'
)
export const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), Buffer.alloc(64, 0), Buffer.from('ffd9', 'hex')])
/** A Windows executable header ("MZ" … "PE\0\0"). */
export const EXE = (() => {
  const b = Buffer.alloc(256, 0)
  b.write('MZ', 0, 'latin1')
  b.writeUInt32LE(0x80, 0x3c)
  b.write('PE\0\0', 0x80, 'latin1')
  return b
})()
export const SVG_SCRIPT = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>')

export interface Part {
  name: string
  filename?: string
  contentType?: string
  data: Buffer | string
}

export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----ribambelle${Math.random().toString(16).slice(2)}`
  const chunks: Buffer[] = []
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`
    if (p.filename !== undefined) head += `; filename="${p.filename}"`
    head += '\r\n'
    if (p.filename !== undefined) head += `Content-Type: ${p.contentType ?? 'application/octet-stream'}\r\n`
    chunks.push(Buffer.from(head + '\r\n', 'utf8'), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data, 'utf8'), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}

const cookieHeader = (c: TestClient) => [...c.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ')

/** POSTs a multipart body to the side's upload route with the client's session and CSRF token. */
export async function uploadParts(app: FastifyInstance, c: TestClient, parts: Part[], opts: { csrf?: boolean } = {}) {
  const { body, contentType } = multipart(parts)
  // The token first: fetching it may set the CSRF cookie the request must carry.
  const token = opts.csrf !== false ? await c.csrfToken() : null
  const headers: Record<string, string> = { host: '127.0.0.1', 'content-type': contentType, cookie: cookieHeader(c) }
  if (token) headers['x-csrf-token'] = token
  const res = await app.inject({ method: 'POST', url: `/api/${c.side}/files/upload`, remoteAddress: c.ip, headers, payload: body })
  let parsed: unknown = res.body
  try {
    parsed = JSON.parse(res.body)
  } catch {
    /* keep text */
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.statusCode, body: parsed as any }
}

export function upload(app: FastifyInstance, c: TestClient, filename: string, data: Buffer, contentType = 'application/pdf') {
  return uploadParts(app, c, [{ name: 'file', filename, contentType, data }])
}

/** GET with the client's cookies (downloads). */
export async function download(app: FastifyInstance, c: TestClient, url: string) {
  const res = await app.inject({ method: 'GET', url, remoteAddress: c.ip, headers: { host: '127.0.0.1', cookie: cookieHeader(c) } })
  return { status: res.statusCode, headers: res.headers, raw: res.rawPayload, text: res.body }
}

/** Every file under a directory (the documents store), recursively. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  const out: string[] = []
  for (const e of readdirSync(dir)) {
    const p = join(dir, e)
    if (statSync(p).isDirectory()) out.push(...filesUnder(p))
    else out.push(p)
  }
  return out
}
