import { createI18n } from 'vue-i18n'
import zh from './zh'
import en from './en'
import { setLanguage } from '../api/http'

export type Lang = 'zh-CN' | 'en'
const KEY = 'ow_lang'

export function initialLang(): Lang {
  const saved = localStorage.getItem(KEY)
  return saved === 'en' ? 'en' : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLang(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en },
})
setLanguage(initialLang())
document.documentElement.lang = initialLang()

export function setLang(lang: Lang) {
  i18n.global.locale.value = lang
  localStorage.setItem(KEY, lang)
  setLanguage(lang)
  document.documentElement.lang = lang
}
