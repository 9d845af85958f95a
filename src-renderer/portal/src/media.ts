import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

/** The portal's one breakpoint (styles.css uses the same): below it, the phone layouts. */
export const PHONE_QUERY = '(max-width: 599px)'

/** Whether the screen is phone-sized now; follows rotations and window resizes. */
export function useIsPhone(): Ref<boolean> {
  const media = typeof window !== 'undefined' ? window.matchMedia(PHONE_QUERY) : null
  const phone = ref(!!media?.matches)
  const update = () => (phone.value = !!media?.matches)
  onMounted(() => {
    update()
    media?.addEventListener('change', update)
  })
  onBeforeUnmount(() => media?.removeEventListener('change', update))
  return phone
}
