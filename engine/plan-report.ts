/**
 * How a plan reads: text for people (a preview-like resource tree, one verdict
 * line per image, what each repository's lifecycle rules keep, diagnostics by
 * enforcement level) and the JSON shape scripts rely on.
 */
import * as path from "path";
import type { LifecycleRule } from "../lifecycle/index";
import { DOCKER_BUILD_IMAGE, ECR_LIFECYCLE_POLICY, ECR_REPOSITORY } from "../policy/policies/support";
import { hasMandatory, ImageSummary, PlanDiagnostic, PlanResult, RepositorySummary } from "./plan";
import type { RegisteredResource } from "./program-runner";
import { asRecord, displayValue, plainValue } from "./wire-values";
import { knownString } from "../policy/resource-values";

export interface PlanJson {
    stack: string;
    resources: { type: string; name: string; urn: string; inputs: Record<string, unknown> }[];
    diagnostics: PlanDiagnostic[];
}

export function planJson(result: PlanResult): PlanJson {
    return {
        stack: result.stack,
        resources: result.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, inputs: displayValue(r.inputs) as Record<string, unknown> })),
        diagnostics: result.diagnostics.map((d) => ({ policy: d.policy, enforcementLevel: d.enforcementLevel, urn: d.urn, message: d.message })),
    };
}

/** `aws:ecr/repository:Repository` → `aws:ecr:Repository`, as `pulumi preview` shows types. */
export function displayType(type: string): string {
    const parts = type.split(":");
    if (parts.length !== 3) return type;
    const [pkg, mod, name] = parts;
    const slash = mod.lastIndexOf("/");
    if (slash >= 0 && mod.slice(slash + 1).toLowerCase() === name.toLowerCase()) return `${pkg}:${mod.slice(0, slash)}:${name}`;
    if (mod === "index") return `${pkg}:${name}`;
    return type;
}

function nameOfUrn(urn: string): string {
    return urn.split("::").pop() ?? urn;
}

function keySettings(resource: RegisteredResource): string {
    const inputs = asRecord(plainValue(resource.inputs));
    const settings: string[] = [];
    switch (resource.type) {
        case ECR_REPOSITORY: {
            const scan = asRecord(inputs.imageScanningConfiguration).scanOnPush;
            settings.push(scan === true ? "scan on push" : "NO scan on push");
            const mutability = knownString(inputs.imageTagMutability) ?? "MUTABLE";
            const exclusions = (Array.isArray(inputs.imageTagMutabilityExclusionFilters) ? inputs.imageTagMutabilityExclusionFilters : [])
                .map((f) => knownString(asRecord(f).filter))
                .filter((f): f is string => f !== undefined);
            settings.push(exclusions.length > 0 ? `${mutability} (except ${exclusions.join(", ")})` : mutability);
            const encryption = Array.isArray(inputs.encryptionConfigurations) ? asRecord(inputs.encryptionConfigurations[0]) : {};
            settings.push(knownString(encryption.encryptionType) ?? "AES256 (default)");
            if (inputs.forceDelete === true) settings.push("forceDelete");
            break;
        }
        case ECR_LIFECYCLE_POLICY: {
            const text = knownString(inputs.policy);
            try {
                const rules = text ? (JSON.parse(text) as { rules?: unknown[] }).rules : undefined;
                settings.push(Array.isArray(rules) ? `${rules.length} rule${rules.length === 1 ? "" : "s"}` : "policy unknown");
            } catch {
                settings.push("policy is not JSON");
            }
            break;
        }
        case "aws:ecr/repositoryPolicy:RepositoryPolicy": {
            const text = knownString(inputs.policy);
            try {
                const doc = text ? (JSON.parse(text) as { Statement?: { Principal?: { AWS?: unknown } }[] }) : undefined;
                const principals = (doc?.Statement ?? []).flatMap((s) => {
                    const aws = s.Principal?.AWS;
                    return Array.isArray(aws) ? aws.map(String) : aws !== undefined ? [String(aws)] : [];
                });
                settings.push(`pull by ${principals.join(", ") || "nobody"}`);
            } catch {
                settings.push("policy is not JSON");
            }
            break;
        }
        case DOCKER_BUILD_IMAGE: {
            const platforms = Array.isArray(inputs.platforms) ? inputs.platforms.map(String) : [];
            settings.push(platforms.length > 0 ? platforms.join(",") : "NO platforms");
            if (knownString(inputs.target)) settings.push(`target ${inputs.target}`);
            settings.push(inputs.push === true ? "push" : "no push");
            const tags = Array.isArray(inputs.tags) ? inputs.tags.map((t) => knownString(t)).filter((t): t is string => t !== undefined) : [];
            if (tags.length > 0) settings.push(tags.map((t) => t.slice(t.lastIndexOf(":") + 1)).join(", "));
            break;
        }
        default:
            break;
    }
    return settings.join(" · ");
}

function resourceTree(resources: RegisteredResource[]): string[] {
    const children = new Map<string, RegisteredResource[]>();
    const known = new Set(resources.map((r) => r.urn));
    const roots: RegisteredResource[] = [];
    for (const r of resources) {
        if (r.parent && known.has(r.parent)) {
            const list = children.get(r.parent) ?? [];
            list.push(r);
            children.set(r.parent, list);
        } else {
            roots.push(r);
        }
    }
    const rows: { prefix: string; resource: RegisteredResource }[] = [];
    const walk = (r: RegisteredResource, prefix: string, childPrefix: string) => {
        rows.push({ prefix, resource: r });
        const kids = children.get(r.urn) ?? [];
        kids.forEach((kid, i) => {
            const last = i === kids.length - 1;
            walk(kid, `${childPrefix}${last ? "└─ " : "├─ "}`, `${childPrefix}${last ? "   " : "│  "}`);
        });
    };
    for (const root of roots) walk(root, "", "");
    const typeWidth = Math.max(...rows.map((row) => row.prefix.length + displayType(row.resource.type).length), 4);
    const nameWidth = Math.max(...rows.map((row) => row.resource.name.length), 4);
    return rows.map(({ prefix, resource }) => {
        const type = `${prefix}${displayType(resource.type)}`.padEnd(typeWidth);
        const settings = keySettings(resource);
        return `  ${type}  ${resource.name.padEnd(nameWidth)}${settings ? `  ${settings}` : ""}`.trimEnd();
    });
}

function imageLine(image: ImageSummary, projectDir: string): string[] {
    if (!image.check) return [`  ${image.name}: cannot analyse during preview: ${image.unknownInputs.join(", ")} unknown`];
    const { check } = image;
    const facts = check.facts;
    const failing = [...new Set(check.violations.map((v) => v.policy))];
    const verdict = failing.length === 0 ? "passes" : `FAILS ${failing.join(", ")}`;
    if (!facts) return [`  ${image.name}: ${verdict}: ${check.violations[0]?.message ?? "no analysis"}`];
    const base = facts.base === undefined ? "unknown base" : facts.base === "scratch" ? "scratch" : facts.base.normalized;
    const user = facts.user === undefined ? `user unknown` : `user ${facts.user === "" ? '"" (root)' : facts.user} (${facts.userVerdict})`;
    const platform = facts.platform ?? (facts.platforms.length > 0 ? facts.platforms.join(",") : "no platform");
    const labelCount = Object.keys(facts.labels).length;
    const role = facts.labels["dev.shipshape.image.role"];
    const lines = [
        `  ${image.name}: ${verdict} · base ${base} · ${user} · ${platform} · ${labelCount} label${labelCount === 1 ? "" : "s"}${role ? ` · role ${role}` : ""}`,
        `    ${displayPath(check.dockerfile.file, projectDir)}${facts.target ? ` (target ${facts.target})` : ""}`,
    ];
    for (const v of check.violations) lines.push(`    ✗ ${v.policy}: ${v.message}`);
    // An exemption's message already starts with the policy's name.
    for (const e of check.exemptions) lines.push(`    ~ ${e.message.startsWith(e.policy) ? e.message : `${e.policy} exempt: ${e.message}`}`);
    return lines;
}

function describeRule(rule: LifecycleRule): string {
    const sel = rule.selection;
    const what =
        sel.tagStatus === "untagged"
            ? "untagged images"
            : sel.tagStatus === "any"
              ? "all images"
              : `images tagged ${(sel.tagPatternList ?? sel.tagPrefixList ?? []).map((t) => (sel.tagPatternList ? t : `${t}*`)).join(", ")}`;
    const storage = sel.storageClass === "archive" ? " in archive" : "";
    const since: Record<string, string> = { sinceImagePushed: "push", sinceImagePulled: "last pull", sinceImageTransitioned: "transition" };
    const when =
        sel.countType === "imageCountMoreThan"
            ? `beyond the newest ${sel.countNumber}`
            : `${sel.countNumber} day${sel.countNumber === 1 ? "" : "s"} after ${since[sel.countType] ?? sel.countType}`;
    const action = rule.action.type === "transition" ? "archive" : "expire";
    return `rule ${rule.rulePriority}: ${action} ${what}${storage} ${when}${rule.description ? ` (${rule.description})` : ""}`;
}

function repositoryLines(repo: RepositorySummary): string[] {
    const lines = [`  ${repo.name}${repo.url ? ` → ${repo.url}` : ""}`];
    if (repo.lifecycle) {
        for (const rule of [...repo.lifecycle.rules].sort((a, b) => a.rulePriority - b.rulePriority)) lines.push(`    ${describeRule(rule)}`);
    } else {
        lines.push(`    lifecycle: ${repo.lifecycleError ?? "none"}`);
    }
    for (const { tag, exposure } of repo.tags) {
        if (!exposure) lines.push(`    tag ${tag}: not evaluated`);
        else lines.push(`    tag ${tag}: ${exposure.expires ? "may expire" : "never expires"}: ${exposure.reason}`);
    }
    if (repo.tags.length === 0) lines.push(`    no image in this stack writes to it`);
    return lines;
}

/** A stack output as `pulumi preview` lists it: scalars inline, maps one entry per line. */
function outputLines(key: string, value: unknown): string[] {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        const entries = Object.entries(value);
        const width = Math.max(...entries.map(([k]) => k.length), 0);
        return [`  ${key}:`, ...entries.map(([k, v]) => `    ${k.padEnd(width)}  ${typeof v === "string" ? v : JSON.stringify(v)}`)];
    }
    return [`  ${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`];
}

const LEVEL_ORDER = ["mandatory", "remediate", "advisory", "disabled"] as const;

function diagnosticLines(result: PlanResult): string[] {
    const byUrn = new Map(result.resources.map((r) => [r.urn, r]));
    const lines: string[] = [];
    for (const level of LEVEL_ORDER) {
        const list = result.diagnostics.filter((d) => d.enforcementLevel === level);
        if (list.length === 0) continue;
        lines.push(`  ${level} (${list.length})`);
        for (const d of list) {
            const resource = byUrn.get(d.urn);
            const subject = resource ? `${displayType(resource.type)} ${resource.name}` : d.urn ? nameOfUrn(d.urn) : (d.subject ?? "stack");
            const [first, ...rest] = d.message.trim().split("\n");
            lines.push(`    [${d.policy}] ${subject}: ${first}`);
            for (const more of rest) lines.push(`      ${more}`);
        }
    }
    if (lines.length === 0) lines.push("  none");
    return lines;
}

/** Relative to the project when inside it, else as given. */
function displayPath(file: string, projectDir: string): string {
    if (!path.isAbsolute(file)) return file;
    const relative = path.relative(projectDir, file);
    return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

export function formatPlanText(result: PlanResult): string {
    const out: string[] = [];
    const packLabel = result.pack.name ? `${result.pack.name} ${result.pack.version}` : "not consulted (the program stopped first)";
    const configSource = displayPath(result.pack.configSource, result.projectDir);
    out.push(`Plan for stack ${result.stack} (${result.stackFile}) of project ${result.project}`);
    out.push(`Policy pack ${packLabel}, config: ${configSource}`);
    if (result.stoppedByProgram) {
        out.push("");
        out.push(`The program stopped while constructing resources: ${result.stoppedByProgram}`);
    } else {
        out.push("");
        out.push(`Resources (${result.resources.length})`);
        out.push(...resourceTree(result.resources));
        out.push("");
        out.push(`Images (${result.images.length})`);
        if (result.images.length === 0) out.push("  none");
        for (const image of result.images) out.push(...imageLine(image, result.projectDir));
        out.push("");
        out.push(`Repositories (${result.repositories.length})`);
        if (result.repositories.length === 0) out.push("  none");
        for (const repo of result.repositories) out.push(...repositoryLines(repo));
        const outputs = Object.entries(displayValue(result.stackOutputs) as Record<string, unknown>);
        if (outputs.length > 0) {
            out.push("");
            out.push("Outputs");
            for (const [key, value] of outputs) out.push(...outputLines(key, value));
        }
        const notes: string[] = [];
        const byUrn = new Map(result.resources.map((r) => [r.urn, r]));
        for (const log of result.logs) {
            // Under the resource that logged it, as `pulumi preview` groups messages.
            const resource = log.urn ? byUrn.get(log.urn) : undefined;
            const source = resource ? `${displayType(resource.type)} ${resource.name}: ` : log.urn ? `${nameOfUrn(log.urn)}: ` : "";
            notes.push(`  ${log.severity}: ${source}${log.message}`);
        }
        for (const key of result.undecryptedKeys) notes.push(`  ${key} is encrypted (secure:); the program saw a placeholder`);
        for (const token of result.unansweredCalls) notes.push(`  ${token} was answered with an empty result by the embedded engine`);
        if (notes.length > 0) {
            out.push("");
            out.push("Program messages");
            out.push(...notes);
        }
        out.push("");
        out.push("Computed values (ARNs, repository URLs, digests) are placeholders from the embedded engine (account 123456789012).");
    }
    out.push("");
    out.push(`Policy diagnostics (${result.diagnostics.length})`);
    out.push(...diagnosticLines(result));
    out.push("");
    const mandatory = result.diagnostics.filter((d) => d.enforcementLevel === "mandatory").length;
    const advisory = result.diagnostics.filter((d) => d.enforcementLevel === "advisory").length;
    out.push(
        hasMandatory(result)
            ? `Result: ${mandatory} mandatory violation${mandatory === 1 ? "" : "s"}: pulumi preview --policy-pack would fail.`
            : `Result: no mandatory violation (${advisory} advisory): pulumi preview --policy-pack would pass.`,
    );
    return out.join("\n") + "\n";
}
