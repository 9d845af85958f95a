import type { DeskSearchHitDto } from '@shared/contract/desk-shapes'
import { REQUEST_TYPE_LABELS } from '@shared/contract/shapes'
import { personName } from '@shared/names'
import type { StaffRole } from '@shared/contract/procedure'
import { CASHIER } from '@shared/contract/staff-billing'
import { DESK } from '@shared/contract/staff-foundation'
import { formatEuro } from '@shared/billing/money'
import type { Core } from '../core/app-core'
import { digits, normalize } from '../core/text'
import { dbOf, stmt } from '../bookings/sql'
import { searchFamilies } from '../families/families'
import { searchChildren } from '../bookings/options'

const PER_KIND = 5
const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/**
 * « Ctrl+K » in the back-office: families, children, invoice numbers and
 * requests matching any fragment, each kind only for the roles that may open
 * it (invoices: the cashiers; requests: the desk). Families and children
 * reuse the family search (one LIKE over the family's search column: names,
 * children, e-mails, phones, number) and the children's picker; invoices are
 * found by their number, requests by their number (« 12 », « #12 ») or their
 * family. At most five of each kind.
 */
export async function searchEverywhere(core: Core, role: StaffRole, raw: string): Promise<DeskSearchHitDto[]> {
  const q = raw.trim()
  const hits: DeskSearchHitDto[] = []
  const families = await searchFamilies(core, { query: q, limit: PER_KIND, offset: 0 })
  for (const f of families.items) {
    hits.push({ kind: 'family', id: f.id, familyId: f.id, label: f.responsable || f.name || `Famille n° ${f.number}`, detail: `Famille n° ${f.number}${f.childCount ? ` · ${f.childCount} enfant${f.childCount > 1 ? 's' : ''}` : ''}${f.city ? ` · ${f.city}` : ''}${f.status === 'pending' ? ' · en attente de validation' : ''}` })
  }
  for (const c of (await searchChildren(core, q)).slice(0, PER_KIND)) {
    hits.push({ kind: 'child', id: c.childId, familyId: c.familyId, label: personName(c.lastName, c.firstName), detail: `Enfant · famille n° ${c.familyNumber}` })
  }
  const canInvoices = CASHIER.includes(role)
  const canRequests = DESK.includes(role)
  const number = digits(q.replace(/^#/, ''))
  await core.tx.read(async (m) => {
    const db = dbOf(m)
    if (canInvoices && /\d/.test(q)) {
      const rows = stmt(
        db,
        `SELECT i.id, i.number, i.family_id AS familyId, i.total_cents AS totalCents, i.status, p.last_name AS lastName, p.first_name AS firstName
           FROM invoice i LEFT JOIN person p ON p.family_id = i.family_id AND p.role = 'responsable'
          WHERE i.number LIKE ? ESCAPE '\\' ORDER BY i.issue_date DESC, i.id DESC LIMIT ${PER_KIND}`
      ).all(like(q)) as { id: number; number: string; familyId: number; totalCents: number; status: string; lastName: string | null; firstName: string | null }[]
      for (const r of rows) {
        hits.push({
          kind: 'invoice',
          id: r.id,
          familyId: r.familyId,
          label: `Facture ${r.number}`,
          detail: `${personName(r.lastName, r.firstName)} · ${formatEuro(r.totalCents)}${r.status === 'cancelled' ? ' · annulée' : ''}`
        })
      }
    }
    if (canRequests) {
      const rows = stmt(
        db,
        `SELECT r.id, r.type, r.status, r.family_id AS familyId, f.number AS familyNumber, p.last_name AS lastName, p.first_name AS firstName
           FROM request r JOIN family f ON f.id = r.family_id LEFT JOIN person p ON p.family_id = r.family_id AND p.role = 'responsable'
          WHERE r.id = ? OR f.search_text LIKE ? ESCAPE '\\'
          ORDER BY r.id = ? DESC, r.status = 'pending' DESC, r.created_at DESC LIMIT ${PER_KIND}`
      ).all(Number(number) || -1, like(normalize(q)), Number(number) || -1) as {
        id: number
        type: string
        status: string
        familyId: number
        familyNumber: number
        lastName: string | null
        firstName: string | null
      }[]
      for (const r of rows) {
        hits.push({
          kind: 'request',
          id: r.id,
          familyId: r.familyId,
          requestType: r.type,
          label: `Demande n° ${r.id} : ${REQUEST_TYPE_LABELS[r.type] ?? r.type}`,
          detail: `${personName(r.lastName, r.firstName) || `Famille n° ${r.familyNumber}`} · ${STATUS[r.status] ?? r.status}`
        })
      }
    }
  })
  return hits
}

const STATUS: Record<string, string> = { pending: 'en attente', accepted: 'acceptée', refused: 'refusée', cancelled: 'annulée' }
