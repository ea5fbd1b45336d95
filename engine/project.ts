/**
 * Reads a Pulumi project the way the Pulumi CLI does before it starts the
 * language host: `Pulumi.yaml` (name, main, project-level config) and the
 * stack's `Pulumi.<stack>.yaml`, turned into the `PULUMI_CONFIG` map the
 * Node.js SDK reads (`project:key` names, structured values as JSON text).
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { PlanInputError } from "./errors";

export interface PulumiProject {
    /** Directory holding `Pulumi.yaml`. */
    dir: string;
    /** `name` from `Pulumi.yaml`. */
    name: string;
    /** Module the language host requires: `main` from `Pulumi.yaml`, else the project directory (package.json `main`). */
    mainPath: string;
    /** Project-level config values (`config:` in Pulumi.yaml), already namespaced. */
    projectConfig: Record<string, ConfigValue>;
}

/** A config value as written in YAML; `{ secure: "..." }` marks an encrypted one. */
export type ConfigValue = unknown;

export interface StackConfig {
    stack: string;
    /** `Pulumi.<stack>.yaml`, as users know it. */
    fileName: string;
    filePath: string;
    /** What the SDK reads from `PULUMI_CONFIG`: every value a string (objects as JSON). */
    config: Record<string, string>;
    /** Keys whose value is, or contains, a secret. */
    secretKeys: string[];
    /** Encrypted values the plan cannot decrypt; they reach the program as a placeholder. */
    undecryptedKeys: string[];
}

/** The organization the plan runs under (no Pulumi Cloud): the program and the pack see the same one. */
export const PLAN_ORGANIZATION = "organization";

/** Stands in for `secure:` values: a plan has no secrets provider, and must not need one. */
export const SECRET_PLACEHOLDER = "[secret: not decrypted by shipshape plan]";

export function projectFileName(): string {
    return "Pulumi.yaml";
}

export function stackFileName(stack: string): string {
    return `Pulumi.${stack}.yaml`;
}

export function loadProject(dir: string): PulumiProject {
    const file = path.join(dir, projectFileName());
    if (!fs.existsSync(file)) {
        throw new PlanInputError(`${file}: no Pulumi project here (Pulumi.yaml is missing)`);
    }
    const doc = readYamlMapping(file, projectFileName());
    const name = doc.name;
    if (typeof name !== "string" || name.trim() === "") {
        throw new PlanInputError(`${projectFileName()}: key \`name\` must be a non-empty string`);
    }
    const main = doc.main;
    if (main !== undefined && typeof main !== "string") {
        throw new PlanInputError(`${projectFileName()}: key \`main\` must be a path`);
    }
    const projectConfig: Record<string, ConfigValue> = {};
    const declared = doc.config;
    if (declared !== undefined && declared !== null) {
        if (typeof declared !== "object" || Array.isArray(declared)) {
            throw new PlanInputError(`${projectFileName()}: key \`config\` must be a mapping`);
        }
        for (const [key, spec] of Object.entries(declared as Record<string, unknown>)) {
            const fullKey = namespaced(key, name);
            // A declaration (`type`/`default`/`value`) or a bare value, as Pulumi accepts both.
            if (isPlainObject(spec) && ("default" in spec || "value" in spec || "type" in spec)) {
                if ("value" in spec) projectConfig[fullKey] = spec.value;
                else if ("default" in spec) projectConfig[fullKey] = spec.default;
            } else {
                projectConfig[fullKey] = spec;
            }
        }
    }
    return { dir, name, mainPath: path.resolve(dir, main ?? "."), projectConfig };
}

/** Stack names for which a `Pulumi.<stack>.yaml` exists, sorted. */
export function listStacks(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

export function loadStackConfig(project: PulumiProject, stack: string): StackConfig {
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
        throw new PlanInputError(`invalid stack name ${JSON.stringify(stack)}: use letters, digits, '-', '_' and '.'`);
    }
    const fileName = stackFileName(stack);
    const filePath = path.join(project.dir, fileName);
    if (!fs.existsSync(filePath)) {
        const known = listStacks(project.dir);
        const hint = known.length > 0 ? `; stacks in this project: ${known.join(", ")}` : "";
        throw new PlanInputError(`${fileName}: stack file not found in ${project.dir}${hint}`);
    }
    const doc = readYamlMapping(filePath, fileName);
    const values: Record<string, ConfigValue> = { ...project.projectConfig };
    const stackValues = doc.config;
    if (stackValues !== undefined && stackValues !== null) {
        if (!isPlainObject(stackValues)) {
            throw new PlanInputError(`${fileName}: key \`config\` must be a mapping of \`namespace:key\` to values`);
        }
        for (const [key, value] of Object.entries(stackValues)) {
            values[namespaced(key, project.name)] = value;
        }
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const undecryptedKeys: string[] = [];
    for (const [key, value] of Object.entries(values)) {
        const secrets = { found: false };
        const plain = replaceSecure(value, secrets);
        if (secrets.found) {
            secretKeys.push(key);
            undecryptedKeys.push(key);
        }
        config[key] = configString(plain);
    }
    return { stack, fileName, filePath, config, secretKeys, undecryptedKeys };
}

/** The engine hands strings through and everything else as JSON, which `Config.getObject` parses back. */
function configString(value: unknown): string {
    if (typeof value === "string") return value;
    if (value === null || value === undefined) return "";
    return JSON.stringify(value);
}

function replaceSecure(value: unknown, secrets: { found: boolean }): unknown {
    if (Array.isArray(value)) return value.map((v) => replaceSecure(v, secrets));
    if (isPlainObject(value)) {
        const keys = Object.keys(value);
        if (keys.length === 1 && keys[0] === "secure" && typeof value.secure === "string") {
            secrets.found = true;
            return SECRET_PLACEHOLDER;
        }
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = replaceSecure(v, secrets);
        return out;
    }
    return value;
}

function namespaced(key: string, projectName: string): string {
    return key.includes(":") ? key : `${projectName}:${key}`;
}

function readYamlMapping(filePath: string, displayName: string): Record<string, unknown> {
    let text: string;
    try {
        text = fs.readFileSync(filePath, "utf8");
    } catch (err) {
        throw new PlanInputError(`${displayName}: cannot read ${filePath}: ${(err as Error).message}`);
    }
    let doc: unknown;
    try {
        doc = yaml.load(text, { filename: displayName });
    } catch (err) {
        const e = err as yaml.YAMLException;
        const line = e.mark ? `:${e.mark.line + 1}` : "";
        throw new PlanInputError(`${displayName}${line}: invalid YAML: ${e.reason ?? e.message}`);
    }
    if (doc === undefined || doc === null) return {};
    if (!isPlainObject(doc)) {
        throw new PlanInputError(`${displayName}: the top level must be a mapping`);
    }
    return doc;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
