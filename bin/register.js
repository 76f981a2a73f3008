// Lets node run the TypeScript sources directly: each .ts file is transpiled by swc as it is
// required (type-checking is `npm run typecheck`'s job). Far lighter than ts-node, which loads the
// whole TypeScript compiler: the verifier watching 1,000 pods must fit in 150 MB.
const fs = require("node:fs");
const swc = require("@swc/core");

const options = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  sourceMaps: "inline",
};

require.extensions[".ts"] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, "utf8"), { ...options, filename });
  module._compile(code, filename);
};
