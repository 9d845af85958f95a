import { z } from '../zod-fr'
import { empty } from './common'
import { proc, type ProcedureMap } from './procedure'
import { contactPhone, openingHoursLine } from './shapes'

/** The portal's « Contact » page: public, so a family that cannot log in still finds whom to call. */
export const contactPortalProcedures = {
  'contact-get': proc({
    input: empty,
    output: z.object({
      name: z.string(),
      address: z.string(),
      postalCode: z.string(),
      city: z.string(),
      /** OpenStreetMap's search for the address (a plain link), null without an address. */
      mapUrl: z.string().nullable(),
      phone: z.string(),
      email: z.string(),
      websiteUrl: z.string(),
      openingHours: z.array(openingHoursLine),
      phones: z.array(contactPhone)
    }),
    public: true,
    query: true
  })
} satisfies ProcedureMap
