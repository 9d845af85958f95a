import { Child } from '../../../src-main/families/entities'
import { PDF, upload } from '../files'
import type { CrossFamilyModule } from './types'

/** Issue 16: « je suis l'autre parent », and a PAI of each family's child (a paper of the child's common file). */
export const module: CrossFamilyModule = {
  async seed({ core, portalApp }, { family, portal }) {
    const child = await core.tx.read((m) => m.findOneByOrFail(Child, { familyId: family.familyId }))
    const up = await upload(portalApp, portal, `pai-${family.lastName}.pdf`, PDF)
    const pai = await portal.call('documents-send', { uploadId: up.body.uploadId, docType: 'pai', title: `Protocole PAI ${family.lastName}`, childId: child.id })
    if (pai.status !== 200) throw new Error(`seed PAI: ${JSON.stringify(pai.body)}`)
    return { paiDocument: pai.body.documentId }
  },
  cases: {
    'coparent-request': (id) => ({ childFirstName: 'Léo', childLastName: 'Victimeau', birthDate: '2018-05-04', relation: 'pere', proofType: 'jugement', uploadId: id('uploadId') })
  }
}
