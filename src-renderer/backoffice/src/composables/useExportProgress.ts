import { ref } from 'vue'
import { call, type StaffOutput } from '../api'

export type ExportProgress = NonNullable<StaffOutput<'billing-export-progress'>>

/**
 * The progress of a commune-wide export (SEPA file on Prélèvements, PES V2 bordereau on Trésor public) that runs
 * inside its one request: polled while the request is pending, as Facturation polls « Émettre ». `state` is
 * 'waiting' until the export reports its first step, null once the request has ended.
 */
export function useExportProgress(kind: 'sepa' | 'pes') {
  const state = ref<ExportProgress | 'waiting' | null>(null)
  async function during<T>(regieId: number, work: () => Promise<T>): Promise<T> {
    state.value = 'waiting'
    let poll: ReturnType<typeof setTimeout> | null = null
    const watch = async () => {
      try {
        const p = await call('billing-export-progress', { kind, regieId })
        if (state.value && p) state.value = p
      } catch {
        // Progress is a courtesy: the export's own answer says how it ended.
      }
      if (state.value) poll = setTimeout(watch, 700)
    }
    poll = setTimeout(watch, 300)
    try {
      return await work()
    } finally {
      state.value = null
      if (poll) clearTimeout(poll)
    }
  }
  return { state, during }
}
