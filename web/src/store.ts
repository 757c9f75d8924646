// Session state shared by the pages: the signed-in user, the org tree, the dictionaries and the catalogue.
import { computed, reactive } from 'vue'
import { api } from './api'
import { isMissingEndpoint, setToken } from './api/http'
import type { Category, Dictionaries, Unit, User } from './api/types'
import { i18n } from './i18n'

const USER_KEY = 'ow_user'

function savedUser(): User | null {
  try {
    const raw = localStorage.getItem(USER_KEY)
    return raw ? (JSON.parse(raw) as User) : null
  } catch {
    return null
  }
}

export const store = reactive({
  user: savedUser() as User | null,
  units: [] as Unit[],
  dicts: null as Dictionaries | null,
  categories: [] as Category[],
  categoriesMissing: false,
  unread: 0,
})

export function setUser(user: User | null, token?: string | null) {
  store.user = user
  if (user) localStorage.setItem(USER_KEY, JSON.stringify(user))
  else localStorage.removeItem(USER_KEY)
  if (token !== undefined) setToken(token)
}

let unitsP: Promise<Unit[]> | null = null
export function loadUnits(): Promise<Unit[]> {
  unitsP ??= api.units().then((u) => (store.units = u))
  unitsP.catch(() => (unitsP = null))
  return unitsP
}

let dictsP: Promise<Dictionaries> | null = null
export function loadDicts(): Promise<Dictionaries> {
  dictsP ??= api.dictionaries().then((d) => (store.dicts = d))
  dictsP.catch(() => (dictsP = null))
  return dictsP
}

let catsP: Promise<Category[]> | null = null
/** The category catalogue; an empty list when the server has no `/categories` yet. */
export function loadCategories(): Promise<Category[]> {
  catsP ??= api.categories().then(
    (c) => (store.categories = c),
    (e) => {
      catsP = null
      if (isMissingEndpoint(e)) {
        store.categoriesMissing = true
        return []
      }
      throw e
    },
  )
  return catsP
}

/** Reads the category catalogue again (after the taxonomy or the catalogue changed). */
export function reloadCategories(): Promise<Category[]> {
  catsP = null
  return loadCategories()
}

type DictKind = keyof Dictionaries

/** The label of a dictionary code in the UI language. */
export function dictLabel(kind: DictKind, code: string | null | undefined, fallback?: string | null): string {
  if (!code) return fallback ?? ''
  const item = store.dicts?.[kind]?.find((d) => d.code === code)
  if (!item) return fallback ?? code
  return i18n.global.locale.value === 'en' ? item.label_en : item.label
}

export const dictOptions = (kind: DictKind) =>
  computed(() => (store.dicts?.[kind] ?? []).map((d) => ({ value: d.code, label: i18n.global.locale.value === 'en' ? d.label_en : d.label })))

export function unitName(code: string | null | undefined): string {
  if (!code) return ''
  return store.units.find((u) => u.code === code)?.name ?? code
}
