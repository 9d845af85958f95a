/**
 * The HTTP routes of issue #3 that are not procedures (multipart uploads and
 * file downloads). Both UIs build their URLs from here, and the cross-family
 * test suite iterates over it: a route added here without a test case fails.
 */
export const DOWNLOAD_KINDS = ['attachment', 'document', 'published', 'news-image'] as const
export type DownloadKind = (typeof DOWNLOAD_KINDS)[number]

export const portalFileRoutes = {
  /** multipart/form-data, one part named "file"; answers UploadInfoDto. CSRF header required. */
  upload: { method: 'POST', path: '/api/portal/files/upload' },
  /** A file of the family (message attachment, its document, a document or news image published to it). */
  download: { method: 'GET', path: '/api/portal/files/:kind/:id', kinds: DOWNLOAD_KINDS },
  /** RGPD: all the family's data. */
  exportJson: { method: 'GET', path: '/api/portal/files/export.json' },
  exportPdf: { method: 'GET', path: '/api/portal/files/export.pdf' }
} as const

export const staffFileRoutes = {
  upload: { method: 'POST', path: '/api/staff/files/upload' },
  download: { method: 'GET', path: '/api/staff/files/:kind/:id', kinds: DOWNLOAD_KINDS },
  export: { method: 'GET', path: '/api/staff/files/export/:familyId/:format' }
} as const

export const portalDownloadUrl = (kind: DownloadKind, id: number) => `/api/portal/files/${kind}/${id}`
export const staffDownloadUrl = (kind: DownloadKind, id: number) => `/api/staff/files/${kind}/${id}`
