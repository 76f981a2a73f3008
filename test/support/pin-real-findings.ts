/** Re-pins the real corpus's findings (see real-corpus.ts); review the diff before committing it. */
import * as fs from "node:fs";
import { PINNED, pinnedPath, pinnedText, realManifests } from "./real-corpus";

fs.mkdirSync(PINNED, { recursive: true });
for (const file of realManifests()) fs.writeFileSync(pinnedPath(file), pinnedText(file));
