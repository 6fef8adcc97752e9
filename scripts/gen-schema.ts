// Writes schemas/servicemanager.xsd from the schema table (runtime/src/definition/schema.ts), the
// single source of the `<servicemanager>` documentation. A test fails when the committed file
// differs from what this prints, so run this after editing the table:
//   node --import tsx scripts/gen-schema.ts          (write)
//   node --import tsx scripts/gen-schema.ts --check  (exit 1 if the file is out of date)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateServicemanagerXsd } from "../runtime/src/definition/xsd";

const file = join(import.meta.dirname, "..", "schemas", "servicemanager.xsd");
const xsd = generateServicemanagerXsd();
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(file, "utf8");
  } catch {
    // missing: out of date
  }
  if (current !== xsd) {
    console.error(`${file} is out of date; run: node --import tsx scripts/gen-schema.ts`);
    process.exit(1);
  }
  console.log(`${file} is up to date`);
} else {
  writeFileSync(file, xsd);
  console.log(`wrote ${file} (${xsd.length} bytes)`);
}
