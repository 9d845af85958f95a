import { z } from '@shared/zod-fr'
import { contactPhone, openingHoursLine, type StructureDto } from '@shared/contract/shapes'
import type { Core } from '../core/app-core'
import { stmt } from '../db/statements'
import type { Structure } from './entities'

/**
 * The structure's contact details as the portal's « Contact » page shows
 * them, logged in or not: address with a map link, opening hours per
 * service, phones, e-mail. The two lists are JSON columns (migration 0012).
 */
const hoursList = z.array(openingHoursLine)
const phonesList = z.array(contactPhone)

/** A stored list read back; a value that no longer parses is shown as empty rather than breaking the page. */
function list<T>(schema: z.ZodType<T[]>, json: string): T[] {
  try {
    const r = schema.safeParse(JSON.parse(json))
    return r.success ? r.data : []
  } catch {
    return []
  }
}

export function contactLists(s: Pick<Structure, 'openingHours' | 'contactPhones'>): Pick<StructureDto, 'openingHours' | 'contactPhones'> {
  return { openingHours: list(hoursList, s.openingHours), contactPhones: list(phonesList, s.contactPhones) }
}

export function contactColumns(d: Pick<StructureDto, 'openingHours' | 'contactPhones'>): Pick<Structure, 'openingHours' | 'contactPhones'> {
  return { openingHours: JSON.stringify(d.openingHours), contactPhones: JSON.stringify(d.contactPhones) }
}

/** OpenStreetMap's search for the address: a plain link, no third-party map embedded in the portal. */
export function mapUrl(address: string, postalCode: string, city: string): string | null {
  const q = [address, `${postalCode} ${city}`.trim()].filter(Boolean).join(', ')
  return address.trim() && (postalCode.trim() || city.trim()) ? `https://www.openstreetmap.org/search?query=${encodeURIComponent(q)}` : null
}

export interface PublicContact {
  name: string
  address: string
  postalCode: string
  city: string
  mapUrl: string | null
  phone: string
  email: string
  websiteUrl: string
  openingHours: StructureDto['openingHours']
  phones: StructureDto['contactPhones']
}

/** Read on the snapshot connection: it decides nothing, and a logged-out visitor may ask for it. */
export function publicContact(core: Core): PublicContact {
  const s = stmt(
    core.snapshot,
    `SELECT name, address, postal_code AS postalCode, city, phone, email, website_url AS websiteUrl,
            opening_hours AS openingHours, contact_phones AS contactPhones FROM structure WHERE id = 1`
  ).get() as (Pick<Structure, 'name' | 'address' | 'postalCode' | 'city' | 'phone' | 'email' | 'websiteUrl' | 'openingHours' | 'contactPhones'>) | undefined
  if (!s) return { name: 'Ma structure', address: '', postalCode: '', city: '', mapUrl: null, phone: '', email: '', websiteUrl: '', openingHours: [], phones: [] }
  const lists = contactLists(s)
  return {
    name: s.name,
    address: s.address,
    postalCode: s.postalCode,
    city: s.city,
    mapUrl: mapUrl(s.address, s.postalCode, s.city),
    phone: s.phone,
    email: s.email,
    websiteUrl: s.websiteUrl,
    openingHours: lists.openingHours,
    phones: lists.contactPhones
  }
}
