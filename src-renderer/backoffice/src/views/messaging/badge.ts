import { unreadMessages, watchUnread } from './unread'

/** Side menu badge of "Messagerie": unread family messages (polling starts with the first render). */
export function unreadBadge(): number {
  watchUnread()
  return unreadMessages.value
}
