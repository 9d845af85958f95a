/**
 * Attestation fiscale for childcare costs of children under 6 on 1 January
 * (CGI art. 200 quater B), for a calendar year, from the payments actually
 * received that year. A payment pays invoices; each invoice's share for a
 * child is that child's childcare over the invoice total. Meals are not
 * childcare: restauration activities are left out entirely, and so is the
 * meal share of any other line (« dont repas » of its tariff: a « Journée
 * complète » or an « Après-midi avec repas »). CESU préfinancés are not the
 * family's money, so they are left out too.
 */
import type { EntityManager } from 'typeorm'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { DomainError } from '../core/errors'
import { ageOn } from '../calendar/days'
import { dbOf } from '../bookings/sql'
import { Family } from '../families/entities'
import { renderPdf } from './pdf/printer'
import { storeFamilyPdf } from './documents/family-docs'
import { identity } from './documents/render'
import { getStructure } from '../settings/settings'
import { attestationPdf, type AttestationChild } from './documents/pdfs'
import { upperName } from '@shared/names'

export function attestationAmounts(m: EntityManager, familyId: number, year: number): AttestationChild[] {
  const db = dbOf(m)
  // The household's children, a shared one included (issue 16), and any child its own invoices billed: each household
  // attests only what it paid, from its own invoices.
  const children = db
    .prepare(
      `SELECT id, first_name, last_name, birth_date FROM child
        WHERE id IN (SELECT child_id FROM household_child WHERE family_id = ?)
           OR id IN (SELECT l.child_id FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id WHERE i.family_id = ?)
        ORDER BY birth_date`
    )
    .all(familyId, familyId) as {
    id: number
    first_name: string
    last_name: string
    birth_date: string
  }[]
  const young = children.filter((c) => c.birth_date < `${year + 1}-01-01` && ageOn(c.birth_date, `${year}-01-01`) < 6)
  if (young.length === 0) return []
  // Net allocation per invoice of the payments received in the year (reversals included).
  const paid = db
    .prepare(
      `SELECT a.invoice_id, SUM(a.amount_cents) AS amount
         FROM payment_allocation a JOIN payment p ON p.id = a.payment_id
        WHERE p.family_id = ? AND p.status = 'ok' AND p.mode <> 'cesu' AND p.received_on BETWEEN ? AND ?
        GROUP BY a.invoice_id HAVING SUM(a.amount_cents) > 0`
    )
    .all(familyId, `${year}-01-01`, `${year}-12-31`) as { invoice_id: number; amount: number }[]
  const care = new Map<number, number>(young.map((c) => [c.id, 0]))
  const meals = new Map<number, number>(young.map((c) => [c.id, 0]))
  const lines = db.prepare(
    `SELECT l.child_id, SUM(l.amount_cents) AS amount,
            SUM(CASE WHEN COALESCE(t.kind, '') = 'restauration' THEN l.amount_cents ELSE l.meal_cents END) AS meals
       FROM invoice_line l
       LEFT JOIN activity a ON a.id = l.activity_id LEFT JOIN activity_type t ON t.id = a.activity_type_id
      WHERE l.invoice_id = ? GROUP BY l.child_id`
  )
  for (const p of paid) {
    const rows = lines.all(p.invoice_id) as { child_id: number | null; amount: number; meals: number }[]
    const total = rows.reduce((s, r) => s + r.amount, 0)
    if (total <= 0) continue
    for (const r of rows) {
      if (r.child_id === null || !care.has(r.child_id)) continue
      const childcare = r.amount - r.meals
      if (childcare > 0) care.set(r.child_id, care.get(r.child_id)! + (p.amount * childcare) / total)
      if (r.meals > 0) meals.set(r.child_id, meals.get(r.child_id)! + (p.amount * Math.min(r.meals, r.amount)) / total)
    }
  }
  return young
    .map((c) => ({ name: `${c.first_name} ${upperName(c.last_name)}`, birthDate: c.birth_date, amountCents: Math.round(care.get(c.id)!), mealCents: Math.round(meals.get(c.id)!) }))
    .filter((c) => c.amountCents > 0)
}

/** Generates the attestation PDF and files it in the family's documents. Returns the document id. */
export async function createAttestation(core: Core, actor: Actor, familyId: number, year: number): Promise<{ documentId: number; totalCents: number }> {
  const today = parisDay(core.clock.now())
  if (year > Number(today.slice(0, 4))) throw new DomainError('invalid_input', 'Cette année n’est pas encore commencée.', 400, { year: 'future' })
  const { def, total } = await core.tx.read(async (m) => {
    const fam = await m.findOneByOrFail(Family, { id: familyId })
    const person = dbOf(m).prepare(`SELECT civility, last_name, first_name FROM person WHERE family_id = ? AND role = 'responsable'`).get(familyId) as
      | { civility: string; last_name: string; first_name: string }
      | undefined
    const children = attestationAmounts(m, familyId, year)
    if (children.length === 0) {
      throw new DomainError('nothing_to_certify', `Aucun frais de garde d’enfant de moins de 6 ans n’a été réglé en ${year} : pas d’attestation à établir.`, 409)
    }
    const name = person ? `${person.civility ? `${person.civility} ` : ''}${person.first_name} ${upperName(person.last_name)}` : `Famille ${fam.number}`
    const s = await getStructure(m)
    return {
      total: children.reduce((sum, c) => sum + c.amountCents, 0),
      def: attestationPdf({
        structure: await identity(m),
        signatory: { name: s.signatoryName, role: s.signatoryRole },
        year,
        familyName: name,
        familyNumber: fam.number,
        address: { address: fam.address, postalCode: fam.postalCode, city: fam.city },
        children,
        today
      })
    }
  })
  const pdf = await renderPdf(def)
  const documentId = await storeFamilyPdf(core, actor, { familyId, docType: 'attestation-fiscale', title: `Attestation fiscale ${year}`, fileName: `attestation-fiscale-${year}.pdf`, pdf })
  return { documentId, totalCents: total }
}
