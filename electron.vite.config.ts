import { resolve } from 'node:path'
import { defineConfig, externalizeDepsPlugin } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import { VitePWA } from 'vite-plugin-pwa'

const shared = { '@shared': resolve(__dirname, 'src-shared') }

// electron-vite builds three bundles: the main process (plus the headless
// entry, which is the same core without Electron), the preload, and the
// back-office renderer. The family portal has its own config
// (vite.portal.config.ts) because it is a plain browser build.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    resolve: { alias: shared },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/electron/main.ts'),
          headless: resolve(__dirname, 'src-main/headless.ts'),
          cli: resolve(__dirname, 'src-main/cli.ts'),
          // Batch PDFs' worker thread (src-main/billing/pdf/pool.ts loads it beside the bundle).
          'pdf-worker': resolve(__dirname, 'src-main/billing/pdf/pdf-worker.ts'),
          // The invoicing run's computation thread (src-main/billing/invoicing/compute-thread.ts loads it beside the bundle).
          'compute-worker': resolve(__dirname, 'src-main/billing/invoicing/compute-worker.ts')
        }
      }
    }
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    resolve: { alias: shared },
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer/backoffice'),
    resolve: { alias: shared },
    plugins: [
      vue(),
      // The back-office installs on a tablet as a web app (issue 15 §3: Pointage in the rooms). The service worker
      // keeps the app's own files only, so Pointage opens without WiFi; the API is never cached by it (the day's
      // lists live in IndexedDB, per user, wiped at logout — views/bookings/offline-marks.ts).
      VitePWA({
        registerType: 'autoUpdate',
        injectRegister: null,
        manifest: {
          name: 'Ribambelle — back-office',
          short_name: 'Ribambelle',
          description: 'Pointage et back-office de la structure',
          lang: 'fr',
          start_url: '/#/pointage',
          scope: '/',
          display: 'standalone',
          orientation: 'any',
          background_color: '#ffffff',
          theme_color: '#1d4ed8',
          icons: [
            { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
            { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
            { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' }
          ]
        },
        workbox: {
          globPatterns: ['**/*.{js,css,html,svg,png,woff,woff2,ttf,eot}'],
          maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
          navigateFallback: '/index.html',
          navigateFallbackDenylist: [/^\/api\//],
          cleanupOutdatedCaches: true
        }
      })
    ],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: resolve(__dirname, 'src-renderer/backoffice/index.html') }
    }
  }
})
