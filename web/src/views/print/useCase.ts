// Loads what a printed form needs: the case, its timeline when asked, and the org and dictionaries for names
// (the print pages sit outside the staff layout, which loads those otherwise).
import { computed, onMounted, ref } from 'vue'
import { useRoute } from 'vue-router'
import { api } from '../../api'
import type { CaseView, EventView } from '../../api/types'
import { loadDicts, loadUnits, store, unitName } from '../../store'
import { errorText } from '../../utils/feedback'
import zh from '../../i18n/zh'

export function usePrintCase(opts: { events?: boolean } = {}) {
  const route = useRoute()
  const id = computed(() => String(route.params.id))
  const c = ref<CaseView | null>(null)
  const events = ref<EventView[]>([])
  const loading = ref(true)
  const error = ref('')

  onMounted(async () => {
    try {
      const [cv, ev] = await Promise.all([api.getCase(id.value), opts.events ? api.events(id.value) : Promise.resolve([]), loadUnits().catch(() => []), loadDicts().catch(() => null)])
      c.value = cv
      events.value = ev
    } catch (e) {
      error.value = errorText(e)
    } finally {
      loading.value = false
    }
  })

  /** The Chinese label of a dictionary code (the forms are in Chinese whatever the UI's language). */
  const zhLabel = (kind: 'outcome' | 'satisfaction' | 'nature' | 'urgency' | 'source' | 'status', code: string | null | undefined) =>
    (code && store.dicts?.[kind]?.find((d) => d.code === code)?.label) || code || ''
  const riskLabel = (level: string | null | undefined) => (level ? (zh.case.riskLevel[level] ?? level) : '')
  return { id, c, events, loading, error, zhLabel, unitName, riskLabel }
}
