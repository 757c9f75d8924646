/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// Element Plus components (and their CSS) are imported on use, not as a whole, so the bundle holds only
// what the pages need. The dev server proxies the API to a running `onewindow demo`.
export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    AutoImport({ resolvers: [ElementPlusResolver()], dts: 'types/auto-imports.d.ts' }),
    Components({ resolvers: [ElementPlusResolver()], dts: 'types/components.d.ts' }),
  ],
  server: {
    proxy: {
      '/api': process.env.ONEWINDOW_API ?? 'http://127.0.0.1:8080',
      '/healthz': process.env.ONEWINDOW_API ?? 'http://127.0.0.1:8080',
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
  },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
})
