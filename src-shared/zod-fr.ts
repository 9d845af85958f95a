import { z } from 'zod'

// French default messages for every schema, on both server and browsers.
z.config(z.locales.fr())

export { z }
