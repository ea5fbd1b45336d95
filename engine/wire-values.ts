/**
 * Reading resource properties in the SDK's wire encoding (what the monitor
 * receives and what the engine forwards to policy packs): unknowns are sentinel
 * strings, secrets are signature-tagged objects, resource references carry a
 * signature too.
 */
import { isUnknown } from "../policy/resource-values";

export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

export const UNKNOWN_DISPLAY = "[unknown]";
export const SECRET_DISPLAY = "[secret]";

function signature(value: unknown): string | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    const sig = (value as Record<string, unknown>)[SIG_KEY];
    return typeof sig === "string" ? sig : undefined;
}

/**
 * Plain values for reading: secrets unwrapped, resource references reduced to
 * their URN, unknowns kept as sentinels (so callers can still detect them).
 */
export function plainValue(value: unknown): unknown {
    const sig = signature(value);
    if (sig === SECRET_SIG) return plainValue((value as { value?: unknown }).value);
    if (sig === RESOURCE_SIG) return (value as { urn?: unknown }).urn;
    if (Array.isArray(value)) return value.map(plainValue);
    if (typeof value === "object" && value !== null) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = plainValue(v);
        return out;
    }
    return value;
}

/** Values for people and JSON output: unknowns shown as `[unknown]`, secrets as `[secret]`. */
export function displayValue(value: unknown): unknown {
    if (isUnknown(value)) return UNKNOWN_DISPLAY;
    const sig = signature(value);
    if (sig === SECRET_SIG) return SECRET_DISPLAY;
    if (sig === RESOURCE_SIG) return (value as { urn?: unknown }).urn;
    if (Array.isArray(value)) return value.map(displayValue);
    if (typeof value === "object" && value !== null) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = displayValue(v);
        return out;
    }
    return value;
}

export function asRecord(value: unknown): Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
