/**
 * PES V2 "PES_Aller" carrying one recette bordereau (Hélios, DGFiP), version
 * 4.71: an ORMC bordereau (TypBord 06) of titres ORMC (TypPce 15), one per
 * family invoice, or an annulation/réduction bordereau (TypBord 02) for the
 * credit notes of titres already issued.
 *
 * The file is first a tree (`pesTree`): every value in a `V` attribute,
 * child elements unqualified, each element in its XSD sequence order (the
 * object key order), repeated elements as arrays. check.ts checks the rules
 * the XSD does not on that tree; `serializeXml` writes it, escaping every
 * attribute value through one helper: user data never meets string
 * concatenation. (fast-xml-parser's builder wrote the same file 2 to 3 times
 * slower for a 3,000-titre bordereau.) Texts are reduced to the SEPA/EPC Latin set
 * first (`pesText`), which also suits the ISO-8859-1 tools of the Trésor.
 */
import { decimalAmount } from '@shared/billing/money'
import { epcText } from '../sepa/epc-text'

export const PES_ALLER_NS = 'http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller'

/** Triplets TypBord/TypPce/NatPce this producer writes (see check.ts for the reasoning). */
export const ORMC = { typBord: '06', typPce: '15', natPce: '01' } as const
export const REDUCTION = { typBord: '02', typPce: '02', natPce: '06' } as const

export type PesSequence = 'OOFF' | 'FRST' | 'RCUR' | 'FNAL'
const SEQUENCE_CODES: Record<PesSequence, string> = { OOFF: '01', FRST: '02', RCUR: '03', FNAL: '04' }

export interface PesHeader {
  /** SIRET of the collectivité (IdColl). */
  siret: string
  /** Poste comptable (IdPost). */
  poste: string
  codCol: string
  codBud: string
  /** LibelleColBud: the collectivité and budget, as the Trésor knows them. */
  collectivite: string
  /** Emetteur of the envelope: the software and the structure. */
  sender: { sigle: string; adresse: string }
}

export interface PesDebit {
  /** Interbank settlement date asked for. */
  dtePrel: string
  sequence: PesSequence
  signedOn: string
  rum: string
  libPrel: string
}

export interface PesBank {
  holder: string
  /** BIC + IBAN, or a French account as RIB (the XSD needs a BIC with an IBAN). */
  bic?: string
  iban?: string
  rib?: { etab: string; guichet: string; compte: string; cle: string }
}

export interface PesTiers {
  ref: string
  civilite: string
  nom: string
  prenom: string
  adr2: string
  adr3?: string
  cp: string
  ville: string
  bank?: PesBank
}

export interface PesLine {
  idLigne: number
  label: string
  /** CodProdLoc, 1-4 letters or digits. */
  code: string
  /** Budget nature (compte), digits. */
  nature: string
  cents: number
  debit?: PesDebit
  /** For a réduction: the line of the titre it reduces. */
  rattach?: { exer: number; idPce: number; idLigne: number }
}

export interface PesPiece {
  idPce: number
  objet: string
  debFact?: string
  finFact?: string
  /** ORMC only: the debt reference (n° de dette, période). */
  numDette?: string
  per?: string
  lines: PesLine[]
  tiers: PesTiers
}

export interface PesBordereauInput {
  exer: number
  idBord: number
  date: string
  kind: 'ormc' | 'reduction'
  objet: string
  pieces: PesPiece[]
}

export interface PesFileInput {
  nomFic: string
  header: PesHeader
  bordereau: PesBordereauInput
}

/** Text for a PES zone: EPC Latin characters, cut to the zone's length; `upper` for names and addresses (norme postale). */
export function pesText(s: string, max: number, upper = false): string {
  // Most values are already plain: skip the per-character transliteration for them.
  const t = PLAIN.test(s) ? s.replace(/\s+/g, ' ').trim().slice(0, max).trim() : epcText(s, max)
  return upper ? t.toUpperCase() : t
}
const PLAIN = /^[A-Za-z0-9/\-?:().,'+ ]*$/

export type XmlNode = { [key: string]: string | XmlNode | XmlNode[] }

const v = (value: string | number): XmlNode => ({ '@_V': String(value) })

function tiersNode(t: PesTiers): XmlNode {
  const bank = t.bank
  return {
    InfoTiers: {
      RefTiers: v(pesText(t.ref, 30)),
      CatTiers: v('01'),
      NatJur: v('01'),
      TypTiers: v('01'),
      Civilite: v(t.civilite),
      Nom: v(pesText(t.nom, 38, true)),
      Prenom: v(pesText(t.prenom, 38, true))
    },
    Adresse: {
      TypAdr: v('1'),
      Adr2: v(pesText(t.adr2, 38, true)),
      ...(t.adr3 ? { Adr3: v(pesText(t.adr3, 38, true)) } : {}),
      CP: v(t.cp),
      Ville: v(pesText(t.ville, 38, true)),
      CodRes: v('0')
    },
    ...(bank
      ? {
          CpteBancaire: {
            ...(bank.bic && bank.iban
              ? { BIC: v(bank.bic), IBAN: v(bank.iban) }
              : { CodeEtab: v(bank.rib!.etab), CodeGuic: v(bank.rib!.guichet), IdCpte: v(bank.rib!.compte), CleRib: v(bank.rib!.cle) }),
            TitCpte: v(pesText(bank.holder, 32, true))
          }
        }
      : {})
  }
}

function lineNode(l: PesLine, tiers: XmlNode): XmlNode {
  return {
    BlocLignePiece: {
      InfoLignePiece: {
        IdLigne: v(l.idLigne),
        ObjLignePce: v(pesText(l.label, 160)),
        CodProdLoc: v(l.code),
        Nature: v(l.nature),
        Majo: v('0'),
        TvaIntraCom: v('0'),
        MtHT: v(decimalAmount(l.cents))
      },
      ...(l.debit
        ? {
            InfoPrelevementSEPA: {
              NatPrel: v('01'),
              PerPrel: v('07'),
              DtePrel: v(l.debit.dtePrel),
              MtPrel: v(decimalAmount(l.cents)),
              SequencePres: v(SEQUENCE_CODES[l.debit.sequence]),
              DateSignMandat: v(l.debit.signedOn),
              RefUniMdt: v(l.debit.rum),
              LibPrel: v(pesText(l.debit.libPrel, 140))
            }
          }
        : {}),
      ...(l.rattach ? { RattachPiece: { NatPceOrig: v('01'), ExerRat: v(l.rattach.exer), IdPceOrig: v(l.rattach.idPce), IdLigneOrig: v(l.rattach.idLigne) } } : {})
    },
    Tiers: [tiers]
  }
}

/** One titre's part of the tree (pesTree puts them in order; a city's export builds them a chunk at a time). */
export function pesPieceNode(p: PesPiece, kind: 'ormc' | 'reduction'): XmlNode {
  const t = kind === 'ormc' ? ORMC : REDUCTION
  return {
    BlocPiece: {
      IdPce: v(p.idPce),
      TypPce: v(t.typPce),
      NatPce: v(t.natPce),
      ObjPce: v(pesText(p.objet, 160)),
      ...(p.debFact ? { DebFact: v(p.debFact) } : {}),
      ...(p.finFact ? { FinFact: v(p.finFact) } : {}),
      ...(p.numDette ? { NumDette: v(p.numDette), Per: v(p.per ?? '1') } : {})
    },
    // One debtor per titre: the same Tiers on each line, built once.
    LigneDePiece: ((tiers) => p.lines.map((l) => lineNode(l, tiers)))(tiersNode(p.tiers))
  }
}

/** The PES_Aller tree of one bordereau (the root element's content, namespace declaration included); `pieceNodes` are its pieces' nodes if built already. */
export function pesTree(f: PesFileInput, pieceNodes?: XmlNode[]): XmlNode {
  const b = f.bordereau
  const t = b.kind === 'ormc' ? ORMC : REDUCTION
  const total = b.pieces.reduce((s, p) => s + p.lines.reduce((x, l) => x + l.cents, 0), 0)
  return {
    '@_xmlns:n': PES_ALLER_NS,
    Enveloppe: {
      Parametres: { Version: v('1'), TypFic: v(b.kind === 'ormc' ? 'PESORMC' : 'PESALR1'), NomFic: v(f.nomFic) },
      Emetteur: { Sigle: v(pesText(f.header.sender.sigle, 32, true)), Adresse: v(pesText(f.header.sender.adresse, 38, true)) }
    },
    EnTetePES: {
      DteStr: v(b.date),
      IdPost: v(f.header.poste),
      IdColl: v(f.header.siret),
      CodCol: v(f.header.codCol),
      CodBud: v(f.header.codBud),
      LibelleColBud: v(pesText(f.header.collectivite, 38, true))
    },
    PES_RecetteAller: {
      EnTeteRecette: { IdVer: v('2'), InfoDematerialisee: v('0') },
      Bordereau: [
        {
          BlocBordereau: {
            Exer: v(b.exer),
            IdBord: v(b.idBord),
            DteBordEm: v(b.date),
            TypBord: v(t.typBord),
            NbrPce: v(b.pieces.length),
            MtBordHt: v(decimalAmount(total)),
            ...(b.kind === 'ormc' ? { Objet: v(pesText(b.objet, 160)) } : {})
          },
          Piece: pieceNodes ?? b.pieces.map((p) => pesPieceNode(p, b.kind))
        }
      ]
    }
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }

/**
 * The one escaping helper: an attribute value with the five XML entities
 * escaped; characters XML 1.0 forbids (C0 controls but tab, CR, LF) become
 * spaces.
 */
export function xmlAttr(s: string): string {
  if (!SPECIAL.test(s)) return s
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ' ').replace(/[&<>"']/g, (c) => ENTITIES[c])
}
// eslint-disable-next-line no-control-regex
const SPECIAL = /[&<>"'\u0000-\u001f\ufffe\uffff]/

const NAME = /^[A-Za-z_][\w.:-]*$/
const checkedNames = new Set<string>()
function checkName(name: string): void {
  if (checkedNames.has(name)) return
  if (!NAME.test(name)) throw new Error(`nom XML invalide : ${name}`)
  checkedNames.add(name)
}

/** Writes a tree (`@_name` keys are attributes, arrays repeat an element), indented by two spaces. */
export function serializeXml(root: string, node: XmlNode): string {
  return [...xmlPieces(root, node)].join('')
}

/**
 * The same text in pieces of about `size` characters: a city's bordereau (20,000 titres, tens of MB) is written
 * to its file a piece at a time, the event loop (the portal) getting a turn between two pieces.
 */
export function* xmlPieces(root: string, node: XmlNode, size = 256 * 1024): Generator<string> {
  let out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n']
  let length = 0
  const push = (text: string) => {
    out.push(text)
    length += text.length
  }
  function* write(name: string, n: XmlNode, indent: string): Generator<string> {
    checkName(name)
    let attrs = ''
    const children: [string, XmlNode][] = []
    for (const k in n) {
      const val = n[k]
      if (k.startsWith('@_')) {
        checkName(k.slice(2))
        attrs += ` ${k.slice(2)}="${xmlAttr(val as string)}"`
      } else if (Array.isArray(val)) for (const item of val) children.push([k, item])
      else children.push([k, val as XmlNode])
    }
    if (children.length === 0) {
      push(`${indent}<${name}${attrs}/>\n`)
      return
    }
    push(`${indent}<${name}${attrs}>\n`)
    for (const [k, c] of children) yield* write(k, c, `${indent}  `)
    push(`${indent}</${name}>\n`)
    if (length >= size) {
      yield out.join('')
      out = []
      length = 0
    }
  }
  yield* write(root, node, '')
  if (out.length) yield out.join('')
}

/** The PES_Aller XML of one bordereau. */
export function buildPesAller(f: PesFileInput): string {
  return serializeXml('n:PES_Aller', pesTree(f))
}
