import { describe, expect, test } from 'vitest'
import { createApp } from 'vue'
import ToastService from 'primevue/toastservice'
import { ApiError } from '../../src-renderer/backoffice/src/api'
import { useApiForm } from '../../src-renderer/backoffice/src/composables/useApiForm'

// The one piece every back-office edit screen uses when a save comes back 409 « modifié par … »: the message, and
// « Recharger » that replaces the edits only when the user chooses it.
function form(reload?: () => unknown) {
  const app = createApp({})
  app.use(ToastService)
  return app.runWithContext(() => useApiForm(reload ? { reload } : {}))
}
const stale = new ApiError('stale_version', 'Ce tarif a été modifié par Claire Directrice à 14:32 depuis que vous l’avez ouvert.', 409)

describe('useApiForm and a stale save', () => {
  test('a 409 stale_version shows the message and offers « Recharger »; the record is reloaded only when asked', async () => {
    let reloads = 0
    const f = form(() => void reloads++)
    expect(await f.submit(() => Promise.reject(stale))).toBe(false)
    expect(f.message.value).toBe(stale.message)
    expect(f.stale.value).toBe(true)
    expect(reloads).toBe(0)
    await f.reload()
    expect(reloads).toBe(1)
    expect(f.stale.value).toBe(false)
    expect(f.message.value).toBe('')
  })

  test('other refusals, even a 409, offer no reload; a screen without reload offers none either', async () => {
    const f = form(() => undefined)
    await f.submit(() => Promise.reject(new ApiError('conflict', 'Ce tarif chevauche « Mercredi ».', 409)))
    expect(f.stale.value).toBe(false)
    const g = form()
    await g.submit(() => Promise.reject(stale))
    expect(g.message.value).toBe(stale.message)
    expect(g.stale.value).toBe(false)
  })

  test('a failed reload keeps the form and says why', async () => {
    const f = form(() => Promise.reject(new ApiError('network', 'Le serveur Ribambelle ne répond pas.', 0)))
    await f.submit(() => Promise.reject(stale))
    await f.reload()
    expect(f.message.value).toBe('Le serveur Ribambelle ne répond pas.')
    expect(f.stale.value).toBe(true)
  })
})
