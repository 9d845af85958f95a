import { resolve } from 'node:path'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The family portal: a plain browser build, mobile-first, served by the
// portal listener from out/portal.
export default defineConfig({
  root: resolve(__dirname, 'src-renderer/portal'),
  base: '/',
  plugins: [vue()],
  resolve: { alias: { '@shared': resolve(__dirname, 'src-shared') } },
  build: {
    outDir: resolve(__dirname, 'out/portal'),
    emptyOutDir: true,
    target: 'es2020'
  }
})
