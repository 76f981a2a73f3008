/**
 * `check` compiles a TypeScript program as CommonJS with options the program's own TypeScript
 * accepts: TypeScript 6 refuses `moduleResolution: node` (TS5107), TypeScript 5 refuses `bundler`
 * beside CommonJS (TS5095), and either refusal fails the whole program before its first line.
 */
import * as ts from "typescript";
import { commonJsResolution } from "../../cli/program-runner";

test("TypeScript 6 and later resolve as bundler, 5 and a program without TypeScript as node", () => {
  expect(commonJsResolution("6.0.3")).toBe("bundler");
  expect(commonJsResolution("7.0.0-dev.20260101")).toBe("bundler");
  expect(commonJsResolution("5.9.3")).toBe("node");
  expect(commonJsResolution(undefined)).toBe("node");
});

test("the TypeScript installed here compiles with the options chosen for it, and refuses the other", () => {
  const diagnostics = (moduleResolution: string) =>
    ts
      .transpileModule("export const a: number = 1;", {
        reportDiagnostics: true,
        compilerOptions: ts.convertCompilerOptionsFromJson({ module: "commonjs", moduleResolution }, ".").options,
      })
      .diagnostics?.map((d) => d.code) ?? [];
  const chosen = commonJsResolution(ts.version);
  expect(diagnostics(chosen)).toEqual([]);
  expect(diagnostics(chosen === "node" ? "bundler" : "node")).not.toEqual([]);
});
