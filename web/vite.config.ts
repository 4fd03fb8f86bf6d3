import { defineConfig } from "vite";

// `npm run dev` serves the sources and passes the API and /config.json through to a running
// local stack (`make run`; CARESCORE_URL names another), so the page is on one origin.
const stack = process.env["CARESCORE_URL"] ?? "http://127.0.0.1:8080";

// Runtime settings come from /config.json when the page loads, never from the build, so one
// build serves every stage and the local stack.
export default defineConfig({
  build: {
    target: "es2022",
    sourcemap: true,
  },
  server: {
    proxy: {
      "/v1": stack,
      "/config.json": stack,
    },
  },
});
