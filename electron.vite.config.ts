import { resolve } from 'node:path'
import { defineConfig, externalizeDepsPlugin } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

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
          cli: resolve(__dirname, 'src-main/cli.ts')
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
    plugins: [vue()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: resolve(__dirname, 'src-renderer/backoffice/index.html') }
    }
  }
})
