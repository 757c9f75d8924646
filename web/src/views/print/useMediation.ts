// Loads what a printed 人民调解 document needs: the mediation (with its events) and the org for names. The print
// pages sit outside the staff layout, which loads the org otherwise.
import { computed, onMounted, ref } from 'vue'
import { useRoute } from 'vue-router'
import { api } from '../../api'
import type { Mediation } from '../../api/types'
import { loadUnits } from '../../store'
import { errorText } from '../../utils/feedback'
import zh from '../../i18n/zh'

export function usePrintMediation() {
  const route = useRoute()
  const id = computed(() => String(route.params.id))
  const m = ref<Mediation | null>(null)
  const loading = ref(true)
  const error = ref('')

  onMounted(async () => {
    try {
      const [mv] = await Promise.all([api.mediation(id.value), loadUnits().catch(() => [])])
      m.value = mv
    } catch (e) {
      error.value = errorText(e)
    } finally {
      loading.value = false
    }
  })

  /** The documents are in Chinese whatever the UI's language. */
  const zhRole = (r: string) => zh.mediation.roles[r] ?? r
  const zhRoute = (r: string) => zh.mediation.routes[r] ?? r
  /** When the mediation was accepted (受理): the `accept` event. */
  const acceptedAt = computed(() => m.value?.events?.find((e) => e.action === 'accept') ?? null)
  /** The document's number: the case's number, else the mediation's own id in short. */
  const docNumber = computed(() => (m.value ? (m.value.case_number ?? m.value.id.slice(-12).toUpperCase()) : ''))
  return { id, m, loading, error, zhRole, zhRoute, acceptedAt, docNumber }
}
