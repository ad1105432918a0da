// Copies the browser files of the pinned npm packages (package.json) into the folders the
// site and the browser tests read, each with its licence. Run: npm install && npm run vendor.
// The copies are committed, so `pip install` alone gives a working site (ADR 0010).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const site = join(here, "static", "vendor");
const tests = join(here, "..", "tests", "browser", "vendor");

// package -> [destination root, files to copy (from the package folder)]
const plan = {
  "htmx.org": [site, ["dist/htmx.min.js", "LICENSE"]],
  cytoscape: [site, ["dist/cytoscape.min.js", "LICENSE"]],
  // Only the browser tests load axe-core; it is not served by the site.
  "axe-core": [tests, ["axe.min.js", "LICENSE", "LICENSE-3RD-PARTY.txt"]],
};

const versions = {};
for (const [name, [root, files]] of Object.entries(plan)) {
  const source = join(here, "node_modules", name);
  const { version, license } = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
  const target = join(root, name);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const file of files) copyFileSync(join(source, file), join(target, file.split("/").pop()));
  versions[name] = { version, license, files: files.map((f) => f.split("/").pop()) };
  console.log(`${name}@${version} (${license}) -> ${target}`);
}
writeFileSync(join(site, "VERSIONS.json"), JSON.stringify(versions, null, 2) + "\n");
