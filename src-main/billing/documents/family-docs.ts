/**
 * Billing documents the family keeps (receipts, attestations fiscales) go
 * into the family's documents of the family-file module (#3): a stored file
 * plus a `family_document` row "sent by the structure", so the portal lists
 * and serves them like any other document.
 */
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { audit } from '../../audit/audit'
import { FamilyDocument, StoredFile } from '../../documents/entities'
import { stageUpload } from '../../documents/storage'

export type BillingDocType = 'attestation-fiscale' | 'recu'

export async function storeFamilyPdf(
  core: Core,
  actor: Actor,
  input: { familyId: number; docType: BillingDocType; title: string; fileName: string; pdf: Buffer }
): Promise<number> {
  const file = await stageUpload(core, actor, { name: input.fileName, data: input.pdf, ownerFamilyId: input.familyId })
  return core.tx.run(async (m) => {
    await m.update(StoredFile, { id: file.id }, { staged: false })
    const d = await m.save(
      FamilyDocument,
      Object.assign(new FamilyDocument(), {
        familyId: input.familyId,
        childId: null,
        fileId: file.id,
        origin: 'staff',
        docType: input.docType,
        title: input.title,
        status: 'sent',
        statusReason: '',
        createdAt: core.clock.now().toISOString(),
        decidedAt: null,
        decidedBy: actor.kind === 'staff' ? actor.id : null
      })
    )
    await audit(m, actor, core.clock.now(), { action: 'billing-document-store', entity: 'family_document', entityId: d.id, after: { familyId: input.familyId, docType: input.docType, title: input.title, sha256: file.sha256 } })
    return d.id
  })
}
