import { defineConfig } from "vite";

// Runtime settings come from /config.json when the page loads, never from the build, so one
// build serves every stage and the local stack.
export default defineConfig({
  build: {
    target: "es2022",
    sourcemap: true,
  },
});
