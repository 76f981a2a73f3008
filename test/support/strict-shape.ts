/**
 * Unknown-field check for generated Kubernetes objects: walks an object along its kubernetes-types
 * interface (resolved by the TypeScript checker) and lists every field the interface does not
 * declare — the typo a `kubectl apply --validate=strict` would reject and a JSON-schema validator
 * without `additionalProperties: false` lets through.
 */
import * as path from "node:path";
import ts from "typescript";

const SHAPES = `
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from "kubernetes-types/admissionregistration/v1";
import type { ConfigMap } from "kubernetes-types/core/v1";
// kubernetes-types 1.30.0 drops the fields NamedRuleWithOperations inlines from Rule; the API has them:
// https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/validating-admission-policy-v1/
declare module "kubernetes-types/admissionregistration/v1" {
  interface NamedRuleWithOperations { resources?: Array<string>; scope?: string }
}
export interface Shapes { ValidatingAdmissionPolicy: ValidatingAdmissionPolicy; ValidatingAdmissionPolicyBinding: ValidatingAdmissionPolicyBinding; ConfigMap: ConfigMap }
`;

let loaded: { checker: ts.TypeChecker; shapes: ts.Type } | undefined;

function load() {
  if (loaded) return loaded;
  const file = path.join(__dirname, "__shapes__.ts");
  const options: ts.CompilerOptions = {
    strict: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    noEmit: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (name, ...rest) =>
    name === file ? ts.createSourceFile(name, SHAPES, ts.ScriptTarget.ES2022) : getSourceFile(name, ...rest);
  const program = ts.createProgram([file], options, host);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const shapesSymbol = checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).find((s) => s.name === "Shapes")!;
  loaded = { checker, shapes: checker.getDeclaredTypeOfSymbol(shapesSymbol) };
  return loaded;
}

/** Paths of fields `object` has that its kind's kubernetes-types interface does not declare. */
export function unknownFields(object: { kind?: string }): string[] {
  const { checker, shapes } = load();
  const kind = shapes.getProperty(object.kind ?? "");
  if (!kind) return [`kind ${JSON.stringify(object.kind)} is not one the generator emits`];
  const out: string[] = [];
  walk(checker, object, checker.getTypeOfSymbol(kind), object.kind!, out);
  return out;
}

function walk(checker: ts.TypeChecker, value: unknown, declared: ts.Type, at: string, out: string[]): void {
  const type = checker.getNonNullableType(declared);
  if (Array.isArray(value)) {
    const [element] = checker.getTypeArguments(type as ts.TypeReference);
    value.forEach((v, i) => element && walk(checker, v, element, `${at}[${i}]`, out));
    return;
  }
  if (value === null || typeof value !== "object") return;
  const index = checker.getIndexTypeOfType(type, ts.IndexKind.String);
  for (const [key, v] of Object.entries(value)) {
    const prop = type.getProperty(key);
    if (prop) walk(checker, v, checker.getTypeOfSymbol(prop), `${at}.${key}`, out);
    else if (index) walk(checker, v, index, `${at}.${key}`, out);
    else out.push(`${at}.${key}`);
  }
}
