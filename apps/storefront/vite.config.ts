// The storefront's build: one page, hashed assets, no framework runtime beyond Preact (~4 kB).
// JSX is compiled by Vite's own transformer (oxc) for Preact's automatic runtime, so no plugin.
import { defineConfig } from 'vite';

const gateway = process.env.STOREFRONT_DEV_GATEWAY ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, assetsInlineLimit: 0 },
  // `npm run dev -w apps/storefront`: Vite's dev server in front of a running gateway.
  server: {
    proxy: {
      '/api': gateway,
      '/auth': gateway,
      '/storefront.json': gateway,
      '/socket.io': { target: gateway, ws: true },
    },
  },
});
