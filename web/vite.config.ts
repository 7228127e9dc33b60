/// <reference types="vitest/config" />
import { defineConfig, type ProxyOptions } from 'vite';

// `npm run dev` proxies the API to a running berthd (BERTH_URL, default
// http://127.0.0.1:8470). With BERTH_TOKEN set, the proxy adds it as a Bearer
// token, so the UI can be developed against a berthd without cookie login.
const target = process.env.BERTH_URL ?? 'http://127.0.0.1:8470';
const token = process.env.BERTH_TOKEN;
const proxy: ProxyOptions = {
  target,
  ws: true,
  headers: token ? { Authorization: `Bearer ${token}` } : undefined,
};

export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/api': proxy, '/login': proxy } },
  test: { include: ['test/**/*.test.ts'], environment: 'node' },
});
