import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { setToken, setUnauthorizedHandler } from './api/http'
import { setUser } from './store'
import './styles.css'

setUnauthorizedHandler(() => {
  setUser(null)
  setToken(null)
  if (router.currentRoute.value.path !== '/login') router.push({ path: '/login', query: { redirect: router.currentRoute.value.fullPath } })
})

createApp(App).use(i18n).use(router).mount('#app')
