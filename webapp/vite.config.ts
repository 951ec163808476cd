import { defineConfig } from "vite";

// The page is served by the bot under /app/; the build goes into the Python package.
export default defineConfig({
  base: "/app/",
  build: {
    outDir: "../bot/webapp/static",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2020",
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
});
