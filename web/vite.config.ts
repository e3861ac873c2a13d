import { defineConfig, type ProxyOptions } from "vite";
import react from "@vitejs/plugin-react";

// The api serves dist/ same-origin. `npm run dev` serves the sources with hot reload and passes the
// api's routes to a running dev mode (OPENCLAW_API, default the api on 8080), as if same-origin: the
// api checks Origin on sign-in and on the chat's WebSocket, so the proxy presents the api's own.
const api = process.env.OPENCLAW_API ?? "http://127.0.0.1:8080";
const apiRoutes = ["/auth", "/me", "/admin", "/site", "/signup", "/onboarding", "/openapi"];
const toApi: ProxyOptions = {
  target: api,
  ws: true,
  changeOrigin: true,
  configure: (proxy) => {
    proxy.on("proxyReq", (request) => request.setHeader("origin", api));
    proxy.on("proxyReqWs", (request) => request.setHeader("origin", api));
  },
};

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // No inline scripts or data: modules: the api's Content-Security-Policy allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    proxy: Object.fromEntries(apiRoutes.map((route) => [route, toApi])),
  },
});
