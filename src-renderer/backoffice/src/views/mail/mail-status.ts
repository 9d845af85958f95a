import { ref } from 'vue'
import type { MailStatusDto } from '@shared/contract/desk-shapes'
import { call } from '../../api'

/** Where e-mails go (none / SMTP / the demo's catcher), read once per session by the side menu and the e-mail screens. */
export const mailStatus = ref<MailStatusDto | null>(null)
let loading: Promise<void> | null = null

export function loadMailStatus(force = false): Promise<void> {
  if (force || !loading) {
    loading = call('mail-status', {})
      .then((s) => void (mailStatus.value = s))
      .catch(() => void (loading = null))
  }
  return loading
}

/** Side menu: « Boîte de démonstration » exists only while the demo's mail catcher receives the e-mails. */
export function demoMailboxShown(): boolean {
  void loadMailStatus()
  return mailStatus.value?.mode === 'demo'
}
