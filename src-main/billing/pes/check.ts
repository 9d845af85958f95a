/**
 * The rules of a PES V2 recette file that xmllint and the XSD cannot check,
 * from the annotations of the 4.71 schemas: Hélios rejects the file, the
 * bordereau or its pieces when they are broken. Run on the written XML, so
 * it also catches files produced elsewhere.
 *
 * Triplets: the DGFiP grid (annexe 2 of the PES V2 specification) was not
 * available. This producer writes two triplets: 06/15/01 (ORMC, as the
 * annotations and the notes say) and 02/02/06 (annulation/réduction, titre
 * correctif, nature « annulation-réduction », attached to the original titre
 * through RattachPiece, as Noethys writes them). Anything else is refused
 * here until the grid says otherwise.
 */
import { XMLParser } from 'fast-xml-parser'
import { isValidBIC, isValidIBAN } from 'ibantools'
import { isValidSiret } from './settings'
import { ORMC, REDUCTION } from './build'

export const ALLOWED_TRIPLETS = new Set([`${ORMC.typBord}/${ORMC.typPce}/${ORMC.natPce}`, `${REDUCTION.typBord}/${REDUCTION.typPce}/${REDUCTION.natPce}`])

/** Parsed, a file has the shape build.ts writes: `@_` attributes, these elements as arrays. */
const ARRAYS = new Set(['Bordereau', 'Piece', 'LigneDePiece', 'Tiers', 'PJRef'])
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: true, parseAttributeValue: false, isArray: (name) => ARRAYS.has(name) })

type Node = Record<string, unknown>
const val = (n: unknown, ...path: string[]): string | undefined => {
  let cur = n as Node | undefined
  for (const p of path) cur = cur?.[p] as Node | undefined
  return (cur as { '@_V'?: string } | undefined)?.['@_V']
}
const cents = (s: string | undefined) => (s && /^\d+(\.\d{1,2})?$/.test(s) ? Math.round(Number(s) * 100) : NaN)

export interface PesFileFacts {
  siret: string
  codCol: string
  codBud: string
  bordereaux: { exer: number; idBord: number; typBord: string; pieces: { idPce: number; tiers: string; cents: number }[] }[]
}

/** French problems of a PES_Aller recette file; empty when every rule holds. */
export function checkPesXml(xml: string): { problems: string[]; facts: PesFileFacts | null } {
  let doc: Node
  try {
    doc = parser.parse(xml) as Node
  } catch (e) {
    return { problems: [`XML illisible : ${(e as Error).message}`], facts: null }
  }
  const root = doc.PES_Aller as Node | undefined
  if (!root) return { problems: ['Pas de racine PES_Aller.'], facts: null }
  return checkPesTree(root)
}

/** The same rules on the content of PES_Aller as a tree (what build.ts writes, or a parsed file). */
export function checkPesTree(root: Node): { problems: string[]; facts: PesFileFacts | null } {
  const steps = checkPesTreeSteps(root)
  for (;;) {
    const r = steps.next()
    if (r.done) return r.value
  }
}

/**
 * The same checks in steps of `chunk` pieces: a city's bordereau (20,000 titres) is checked with the event loop (the
 * portal) getting a turn between two steps (pes/export.ts).
 */
export function* checkPesTreeSteps(root: Node, chunk = 500): Generator<void, { problems: string[]; facts: PesFileFacts | null }> {
  const p: string[] = []
  const env = (root.Enveloppe as Node)?.Parametres as Node
  if (val(env, 'Version') !== '1') p.push('Enveloppe : Version doit valoir 1.')
  const typFic = val(env, 'TypFic')
  const head = root.EnTetePES as Node
  const siret = val(head, 'IdColl') ?? ''
  if (!isValidSiret(siret)) p.push(`En-tête : IdColl « ${siret} » n’est pas un SIRET valide.`)
  if (!/^\d{6}$/.test(val(head, 'IdPost') ?? '')) p.push('En-tête : IdPost doit être le code du poste comptable (6 chiffres).')
  const rec = root.PES_RecetteAller as Node | undefined
  if (!rec) return { problems: [...p, 'Pas de bloc PES_RecetteAller.'], facts: null }
  if (val(rec, 'EnTeteRecette', 'IdVer') !== '2') p.push('EnTeteRecette : IdVer doit valoir 2.')
  const demat = val(rec, 'EnTeteRecette', 'InfoDematerialisee') ?? '0'
  if (demat === '1' && !root.Signature) p.push('InfoDematerialisee = 1 sans signature électronique.')
  const facts: PesFileFacts = { siret, codCol: val(head, 'CodCol') ?? '', codBud: val(head, 'CodBud') ?? '', bordereaux: [] }
  for (const b of (rec.Bordereau as Node[]) ?? []) {
    const bb = b.BlocBordereau as Node
    const exer = Number(val(bb, 'Exer'))
    const idBord = Number(val(bb, 'IdBord'))
    const typBord = val(bb, 'TypBord') ?? ''
    const who = `Bordereau ${idBord}/${exer}`
    if (typBord === '06' && typFic !== 'PESORMC') p.push(`${who} : un bordereau ORMC va dans un fichier PESORMC.`)
    const pieces = (b.Piece as Node[]) ?? []
    if (Number(val(bb, 'NbrPce')) !== pieces.length) p.push(`${who} : NbrPce (${val(bb, 'NbrPce')}) ≠ nombre de pièces (${pieces.length}).`)
    let sum = 0
    const ids = new Set<number>()
    const bFacts: PesFileFacts['bordereaux'][number] = { exer, idBord, typBord, pieces: [] }
    for (const [k, piece] of pieces.entries()) {
      if (k % chunk === chunk - 1) yield
      const bp = piece.BlocPiece as Node
      const idPce = Number(val(bp, 'IdPce'))
      const pw = `${who}, pièce ${idPce}`
      const triplet = `${typBord}/${val(bp, 'TypPce')}/${val(bp, 'NatPce')}`
      if (!ALLOWED_TRIPLETS.has(triplet)) p.push(`${pw} : triplet TypBord/TypPce/NatPce ${triplet} hors de la grille.`)
      if (ids.has(idPce)) p.push(`${pw} : IdPce en double dans le bordereau.`)
      ids.add(idPce)
      const lines = (piece.LigneDePiece as Node[]) ?? []
      const refs = new Set<string>()
      const debits = new Set<string>()
      let pieceCents = 0
      let debitCents = 0
      lines.forEach((l, i) => {
        const bl = l.BlocLignePiece as Node
        const info = bl.InfoLignePiece as Node
        const lw = `${pw}, ligne ${val(info, 'IdLigne')}`
        if (Number(val(info, 'IdLigne')) !== i + 1) p.push(`${lw} : les lignes doivent être numérotées 1, 2, 3… dans l’ordre.`)
        const mt = cents(val(info, 'MtHT'))
        if (!(mt > 0)) p.push(`${lw} : MtHT doit être > 0.`)
        pieceCents += mt
        if (val(info, 'Majo') === '0' && (info.DteMajo || info.TxMajo)) p.push(`${lw} : DteMajo/TxMajo interdits sans majoration.`)
        if (val(info, 'Majo') === '1') p.push(`${lw} : majoration non prévue par ce producteur.`)
        const sepa = bl.InfoPrelevementSEPA as Node | undefined
        if (sepa) {
          debits.add(JSON.stringify(Object.entries(sepa).filter(([k]) => k !== 'MtPrel')))
          const prel = cents(val(sepa, 'MtPrel'))
          debitCents += prel
          if (prel !== mt) p.push(`${lw} : MtPrel ≠ MtHT de la ligne.`)
          if (val(sepa, 'AncienneBanque') === '1' && val(sepa, 'SequencePres') !== '02') p.push(`${lw} : AncienneBanque = 1 exige SequencePres 02 (FRST).`)
        }
        if (triplet === '02/02/06' && val(bl, 'RattachPiece', 'NatPceOrig') !== '01') p.push(`${lw} : une réduction doit être rattachée au titre d’origine (RattachPiece, NatPceOrig 01).`)
        for (const t of (l.Tiers as Node[]) ?? []) {
          const it = t.InfoTiers as Node
          refs.add(JSON.stringify([val(it, 'RefTiers'), val(it, 'Nom'), val(it, 'Prenom')]))
          if (val(it, 'CatTiers') === '01') {
            if (!['M', 'MME'].includes(val(it, 'Civilite') ?? '')) p.push(`${lw} : civilité « ${val(it, 'Civilite') ?? ''} » hors de la liste (M, MME).`)
            if (!val(it, 'Prenom')) p.push(`${lw} : prénom obligatoire pour une personne physique.`)
          }
          if (val(t, 'Adresse', 'CodRes') === '1' && !val(t, 'Adresse', 'CodPays')) p.push(`${lw} : CodRes = 1 exige CodPays.`)
          const bank = t.CpteBancaire as Node | undefined
          if (bank?.IBAN && !isValidIBAN(val(bank, 'IBAN') ?? '')) p.push(`${lw} : IBAN du débiteur invalide.`)
          if (bank?.BIC && !isValidBIC(val(bank, 'BIC') ?? '')) p.push(`${lw} : BIC du débiteur invalide.`)
          if (sepa && !bank) p.push(`${lw} : un prélèvement par le Trésor exige les coordonnées bancaires du tiers.`)
        }
      })
      if (debits.size > 1) p.push(`${pw} : les lignes d’un titre ORMC portent les mêmes informations de prélèvement (sauf le montant).`)
      if (debits.size === 1 && debitCents !== pieceCents) p.push(`${pw} : la somme des MtPrel (${debitCents / 100}) ≠ montant du titre.`)
      if (typBord === '06') {
        if (refs.size > 1) p.push(`${pw} : un titre ORMC n’a qu’un débiteur.`)
        if (!val(bp, 'NumDette') || !val(bp, 'Per')) p.push(`${pw} : un titre ORMC porte son n° de dette et sa période.`)
        if (bp.PJRef) p.push(`${pw} : pas de pièce jointe dématérialisée dans un titre ORMC.`)
      }
      sum += pieceCents
      bFacts.pieces.push({ idPce, tiers: [...refs][0] ?? '', cents: pieceCents })
    }
    const mtBord = cents(val(bb, 'MtBordHt'))
    if (!(mtBord > 0)) p.push(`${who} : MtBordHt doit être > 0.`)
    if (mtBord !== sum) p.push(`${who} : MtBordHt (${val(bb, 'MtBordHt')}) ≠ somme des lignes (${(sum / 100).toFixed(2)}).`)
    facts.bordereaux.push(bFacts)
  }
  return { problems: p, facts }
}

/**
 * IdBord of one budget's files: per year 1, 2, 3… with neither gap nor
 * double (a number Hélios already knows rejects the bordereau).
 */
export function checkIdBordSequence(files: { exer: number; idBord: number }[]): string[] {
  const p: string[] = []
  const byYear = new Map<number, number[]>()
  for (const f of files) byYear.set(f.exer, [...(byYear.get(f.exer) ?? []), f.idBord])
  for (const [exer, ids] of byYear) {
    const sorted = [...ids].sort((a, b) => a - b)
    const at = sorted.findIndex((id, i) => id !== i + 1)
    if (at >= 0) p.push(`Exercice ${exer} : bordereau n° ${sorted[at]} là où le n° ${at + 1} est attendu (numéros ${sorted.join(', ')}).`)
  }
  return p
}
