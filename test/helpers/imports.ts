/**
 * Helpers for the import tests (#14): the fixtures, the multipart upload
 * route over `inject`, and a domain-level "upload, preview, commit".
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { importRequest, type ImportRequest } from '@shared/contract/imports-shapes'
import { regieInput } from '@shared/contract/billing-shapes'
import type { Core } from '../../src-main/core/app-core'
import { saveRegie } from '../../src-main/billing/regies'
import { commitImport } from '../../src-main/imports/commit'
import { previewImport } from '../../src-main/imports/preview'
import { receiveImportUpload } from '../../src-main/imports/uploads'
import type { StaffActor } from '../../src-main/rpc/types'
import { multipart } from './files'
import type { TestClient } from './http'

export const NOETHYS_DIR = join(__dirname, '..', 'fixtures', 'noethys')
export const fixture = (name: string) => readFileSync(join(NOETHYS_DIR, name))
export const SAMPLE = () => fixture('Exemple_DATA.dat')
export const NOC_PASSWORD = 'Cle-de-test-Noethys'

/** A day in the sample's school year (its activity runs 2025-09-01 → 2026-07-03). */
export const SAMPLE_NOW = new Date('2025-10-06T08:00:00.000Z')

const cookieHeader = (c: TestClient) => [...c.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ')

/** POSTs a file to the import upload route with the client's session and CSRF token. */
export async function postImport(app: FastifyInstance, c: TestClient, name: string, data: Buffer) {
  const { body, contentType } = multipart([{ name: 'file', filename: name, data }])
  const token = await c.csrfToken()
  const res = await app.inject({
    method: 'POST',
    url: '/api/staff/imports/upload',
    remoteAddress: c.ip,
    headers: { host: '127.0.0.1', 'content-type': contentType, cookie: cookieHeader(c), 'x-csrf-token': token },
    payload: body
  })
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.statusCode, body: JSON.parse(res.body) as any }
}

export type RequestExtra = Omit<Partial<ImportRequest>, 'options'> & { options?: Partial<ImportRequest['options']> }

export function request(uploadId: number, extra: RequestExtra = {}): ImportRequest {
  return importRequest.parse({ uploadId, ...extra })
}

/** Upload, preview and commit a file as `actor`; returns the preview and the batch. */
export async function importFile(core: Core, actor: StaffActor, name: string, data: Buffer, extra: RequestExtra = {}) {
  const up = await receiveImportUpload(core, actor, name, data)
  const req = request(up.uploadId, { ...extra, mapping: extra.mapping ?? (up.spreadsheet?.mapping as ImportRequest['mapping']) })
  const preview = await previewImport(core, actor, req)
  const batch = await commitImport(core, actor, req)
  return { upload: up, preview, batch, req }
}

export async function seedRegie(core: Core, actor: StaffActor): Promise<number> {
  return saveRegie(core, actor, regieInput.parse({ name: 'Régie périscolaire', code: 'PERI', isDefault: true }))
}

export const count = (core: Core, sql: string, ...params: unknown[]) => Number(core.db.prepare(sql).pluck().get(...params))
