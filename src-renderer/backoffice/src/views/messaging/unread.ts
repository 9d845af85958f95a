import { ref } from 'vue'
import { call } from '../../api'
import { onLive } from '../../live'

/**
 * Unread family messages for the side menu badge, polled while the
 * back-office is open and refreshed at once after a screen reads a thread.
 */
export const unreadMessages = ref(0)
let timer: ReturnType<typeof setInterval> | null = null

export async function refreshUnread(): Promise<number> {
  try {
    unreadMessages.value = (await call('messages-staff-unread', {})).total
  } catch {
    // Logged out or offline: keep the last count.
  }
  return unreadMessages.value
}

/** Starts polling (once); the menu calls it when it shows the badge. */
export function watchUnread(intervalMs = 60_000): void {
  if (timer) return
  void refreshUnread()
  // A family's message shows at once on every desk (live stream); the polling stays as the fallback.
  onLive(['messages'], () => void refreshUnread())
  timer = setInterval(() => void refreshUnread(), intervalMs)
}
