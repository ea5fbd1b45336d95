/**
 * Policy pack configuration exactly as the Pulumi engine prepares it before it
 * calls `Configure` on an analyzer (pulumi pkg/resource/analyzer/config.go):
 * schema defaults and each policy's own enforcement level first, then the
 * pack's initial config, then the user's `--policy-pack-config` file, then a
 * JSON-schema validation of every policy's resulting properties.
 */
import * as fs from "fs";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** A JSON schema fragment as a policy declares it. */
export type JsonSchema = Record<string, unknown>;

export interface PolicyConfigSchemaInfo {
    properties: Record<string, JsonSchema>;
    required: string[];
}

/** What `GetAnalyzerInfo` says about one policy. */
export interface AnalyzerPolicyInfo {
    name: string;
    displayName: string;
    description: string;
    message: string;
    enforcementLevel: EnforcementLevel;
    /** Present when the pack supports config; `enforcementLevel` is injected like the engine does. */
    configSchema?: PolicyConfigSchemaInfo;
    policyType: "resource" | "stack" | "unknown";
}

export interface AnalyzerInfo {
    name: string;
    displayName: string;
    version: string;
    supportsConfig: boolean;
    policies: AnalyzerPolicyInfo[];
    initialConfig: PolicyPackConfig;
}

/** One policy's configuration as sent in `Configure`. */
export interface PolicyConfigEntry {
    /** Empty string = not given (the pack then falls back to the policy's own level). */
    enforcementLevel: EnforcementLevel | "";
    properties: Record<string, unknown>;
}

/** Policy name (or `all`) → its configuration. */
export type PolicyPackConfig = Record<string, PolicyConfigEntry>;

export class PolicyPackConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyPackConfigError";
    }
}

function isEnforcementLevel(value: unknown): value is EnforcementLevel {
    return typeof value === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses the JSON of a `--policy-pack-config` file: each key maps to an
 * enforcement level string or to an object of properties that may carry
 * `enforcementLevel`. `source` names the file in errors.
 */
export function parsePolicyPackConfig(json: string, source = "<policy config>"): PolicyPackConfig {
    if (json.trim() === "") return {};
    let raw: unknown;
    try {
        raw = JSON.parse(json);
    } catch (err) {
        throw new PolicyPackConfigError(`${source}: invalid JSON: ${(err as Error).message}`);
    }
    return normalizePolicyPackConfig(raw, source);
}

/** The same normalisation for a config given as an object (e.g. by tests or `shipshape plan`). */
export function normalizePolicyPackConfig(raw: unknown, source = "<policy config>"): PolicyPackConfig {
    if (!isPlainObject(raw)) throw new PolicyPackConfigError(`${source}: the config must be a JSON object keyed by policy name`);
    const result: PolicyPackConfig = {};
    for (const [policy, value] of Object.entries(raw)) {
        if (typeof value === "string") {
            if (!isEnforcementLevel(value)) {
                throw new PolicyPackConfigError(`${source}: "${policy}": "${value}" is not a valid enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`);
            }
            result[policy] = { enforcementLevel: value, properties: {} };
        } else if (isPlainObject(value)) {
            const properties = { ...value };
            let enforcementLevel: EnforcementLevel | "" = "";
            if ("enforcementLevel" in properties) {
                const level = properties.enforcementLevel;
                if (!isEnforcementLevel(level)) {
                    throw new PolicyPackConfigError(`${source}: "${policy}.enforcementLevel": ${JSON.stringify(level)} is not a valid enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`);
                }
                enforcementLevel = level;
                delete properties.enforcementLevel;
            }
            if (enforcementLevel === "" && Object.keys(properties).length === 0) continue;
            result[policy] = { enforcementLevel, properties };
        } else {
            throw new PolicyPackConfigError(`${source}: "${policy}": ${JSON.stringify(value)} is not a valid value; must be a string or object`);
        }
    }
    return result;
}

export function loadPolicyPackConfigFile(file: string): PolicyPackConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new PolicyPackConfigError(`${file}: cannot read policy pack config: ${(err as Error).message}`);
    }
    return parsePolicyPackConfig(text, file);
}

/** Every policy with its schema defaults and its own enforcement level: what the engine starts from. */
export function schemaDefaultConfig(info: Pick<AnalyzerInfo, "policies">): PolicyPackConfig {
    const result: PolicyPackConfig = {};
    for (const policy of info.policies) {
        const properties: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            if ("default" in schema) properties[key] = structuredClone(schema.default);
        }
        result[policy.name] = { enforcementLevel: policy.enforcementLevel, properties };
    }
    return result;
}

function applyConfig(base: PolicyPackConfig, overlay: PolicyPackConfig): PolicyPackConfig {
    const result: PolicyPackConfig = { ...base };
    const all = overlay.all;
    if (all !== undefined && isEnforcementLevel(all.enforcementLevel)) {
        for (const [name, entry] of Object.entries(result)) {
            result[name] = { enforcementLevel: all.enforcementLevel, properties: entry.properties };
        }
    }
    for (const [name, given] of Object.entries(overlay)) {
        const current = result[name];
        const enforcementLevel = isEnforcementLevel(given.enforcementLevel) ? given.enforcementLevel : (current?.enforcementLevel ?? "");
        result[name] = { enforcementLevel, properties: { ...(current?.properties ?? {}), ...given.properties } };
    }
    return result;
}

/**
 * Defaults, then the pack's initial config, then `config`; validated against
 * each policy's schema. Throws PolicyPackConfigError listing every problem as
 * `<policy>: <problem>`, as `pulumi preview` refuses to start then.
 */
export function reconcilePolicyPackConfig(info: AnalyzerInfo, config: PolicyPackConfig = {}): PolicyPackConfig {
    let result = schemaDefaultConfig(info);
    result = applyConfig(result, info.initialConfig);
    result = applyConfig(result, config);
    const problems: string[] = [];
    const known = new Set(info.policies.map((p) => p.name));
    for (const name of Object.keys(config)) {
        // The engine ignores config for policies the pack does not have; a typo there
        // would silently leave a policy at its defaults, so we refuse it.
        if (name !== "all" && !known.has(name)) problems.push(`${name}: no such policy in pack ${info.name}`);
    }
    delete result.all;
    for (const policy of info.policies) {
        if (!policy.configSchema) continue;
        const properties = result[policy.name]?.properties ?? {};
        const schema: JsonSchema = { type: "object", properties: policy.configSchema.properties, required: policy.configSchema.required };
        for (const problem of validateJsonSchema(schema, properties, "")) problems.push(`${policy.name}: ${problem}`);
    }
    if (problems.length > 0) throw new PolicyPackConfigError(`invalid policy pack config:\n  ${problems.join("\n  ")}`);
    return result;
}

// Keywords that only annotate; anything else we do not implement is refused so a
// schema we cannot check never validates silently.
const ANNOTATION_KEYWORDS = new Set(["description", "title", "default", "examples", "$schema", "$id", "$comment", "deprecated", "readOnly", "writeOnly"]);
const CHECKED_KEYWORDS = new Set(["type", "enum", "const", "items", "properties", "required", "additionalProperties", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "pattern", "anyOf", "oneOf"]);

function typeOf(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
    return typeof value;
}

function matchesType(expected: string, value: unknown): boolean {
    const actual = typeOf(value);
    if (expected === "number") return actual === "number" || actual === "integer";
    return actual === expected;
}

/**
 * A JSON-schema check covering the keywords config schemas use (the engine uses
 * gojsonschema). Returns one message per problem, each naming the config key path.
 */
export function validateJsonSchema(schema: JsonSchema, value: unknown, path: string): string[] {
    const where = path === "" ? "(root)" : path;
    const problems: string[] = [];
    for (const keyword of Object.keys(schema)) {
        if (!ANNOTATION_KEYWORDS.has(keyword) && !CHECKED_KEYWORDS.has(keyword)) {
            return [`${where}: the schema uses keyword "${keyword}", which this checker does not implement`];
        }
    }
    if (schema.type !== undefined) {
        const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
        if (!types.some((t) => matchesType(t, value))) return [`${where}: expected ${types.join(" or ")}, got ${typeOf(value)}`];
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
        problems.push(`${where}: must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
    }
    if ("const" in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) problems.push(`${where}: must be ${JSON.stringify(schema.const)}`);
    if (typeof value === "number") {
        if (typeof schema.minimum === "number" && value < schema.minimum) problems.push(`${where}: must be >= ${schema.minimum}`);
        if (typeof schema.maximum === "number" && value > schema.maximum) problems.push(`${where}: must be <= ${schema.maximum}`);
    }
    if (typeof value === "string") {
        if (typeof schema.minLength === "number" && value.length < schema.minLength) problems.push(`${where}: must be at least ${schema.minLength} characters`);
        if (typeof schema.maxLength === "number" && value.length > schema.maxLength) problems.push(`${where}: must be at most ${schema.maxLength} characters`);
        if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) problems.push(`${where}: must match ${schema.pattern}`);
    }
    if (Array.isArray(value)) {
        if (typeof schema.minItems === "number" && value.length < schema.minItems) problems.push(`${where}: must have at least ${schema.minItems} items`);
        if (typeof schema.maxItems === "number" && value.length > schema.maxItems) problems.push(`${where}: must have at most ${schema.maxItems} items`);
        if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) problems.push(`${where}: items must be unique`);
        if (isPlainObject(schema.items)) value.forEach((item, i) => problems.push(...validateJsonSchema(schema.items as JsonSchema, item, `${path}[${i}]`)));
    }
    if (isPlainObject(value)) {
        const properties = isPlainObject(schema.properties) ? (schema.properties as Record<string, JsonSchema>) : {};
        for (const key of (schema.required as string[] | undefined) ?? []) {
            if (!(key in value)) problems.push(`${path === "" ? key : `${path}.${key}`}: is required`);
        }
        for (const [key, item] of Object.entries(value)) {
            const child = path === "" ? key : `${path}.${key}`;
            if (key in properties) problems.push(...validateJsonSchema(properties[key], item, child));
            else if (schema.additionalProperties === false) problems.push(`${child}: is not a known property`);
            else if (isPlainObject(schema.additionalProperties)) problems.push(...validateJsonSchema(schema.additionalProperties as JsonSchema, item, child));
        }
    }
    for (const keyword of ["anyOf", "oneOf"] as const) {
        const options = schema[keyword];
        if (!Array.isArray(options)) continue;
        const passing = options.filter((option) => validateJsonSchema(option as JsonSchema, value, path).length === 0).length;
        if (keyword === "anyOf" ? passing === 0 : passing !== 1) problems.push(`${where}: does not match ${keyword === "anyOf" ? "any" : "exactly one"} of the allowed shapes`);
    }
    return problems;
}
