import { defineConfig } from 'vite'

// Relative asset paths: the same dist/ is served by kiosk-web at / and by Tauri's own protocol.
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // A kiosk loads from disk: one small bundle, no preloading polyfill fetching anything.
    modulePreload: false,
    assetsInlineLimit: 0,
    target: 'es2022',
  },
  css: {
    preprocessorOptions: {
      scss: {
        // govuk-frontend's own deprecation notices are not ours to fix.
        quietDeps: true,
        silenceDeprecations: ['import'],
      },
    },
  },
  server: {
    // `npm run dev` with a kiosk-web on 8787 behind it.
    proxy: { '/api': 'http://127.0.0.1:8787' },
  },
})
