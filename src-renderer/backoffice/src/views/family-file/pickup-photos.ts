import { reactive } from 'vue'
import { call } from '../../api'

/**
 * Photos of pickup persons as data: URLs (the CSP allows them; IPC has no
 * HTTP route to point an <img> at), fetched once per person through
 * `pickup-photo-get` (staff only) and kept in memory, never on the tablet's disk.
 */
const urls = reactive(new Map<number, string | null>())

export function pickupPhotoUrl(pickupId: number): string | null {
  if (!urls.has(pickupId)) {
    urls.set(pickupId, null)
    call('pickup-photo-get', { pickupId })
      .then((p) => urls.set(pickupId, `data:${p.mime};base64,${p.contentBase64}`))
      // Offline or removed meanwhile: the name alone is shown, and the next screen asks again.
      .catch(() => urls.delete(pickupId))
  }
  return urls.get(pickupId) ?? null
}

/** After a photo was set or removed on this desk. */
export function forgetPickupPhoto(pickupId: number): void {
  urls.delete(pickupId)
}
