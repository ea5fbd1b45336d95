/**
 * Instruction flags (`--from=x`, `--link`) with BuildKit's rules and messages
 * (frontend/dockerfile/instructions/bflag.go): each instruction declares the
 * flags it accepts, then `parse` checks what was written against them.
 */

type FlagKind = "bool" | "string" | "strings";

export interface Flag {
    readonly name: string;
    readonly kind: FlagKind;
    /** bool: "true"/"false"; string: the value (or the default). */
    value: string;
    /** strings: every value given, in order. */
    values: string[];
    used: boolean;
}

export class InstructionFlags {
    /** Only filled when flags were written: most instructions have none, and then defaults are all there is. */
    private readonly declared: Map<string, Flag> | undefined;

    constructor(private readonly written: readonly string[]) {
        this.declared = written.length > 0 ? new Map() : undefined;
    }

    bool(name: string, defaultValue = false): Flag {
        return this.declare(name, "bool", defaultValue ? "true" : "false");
    }

    string(name: string, defaultValue = ""): Flag {
        return this.declare(name, "string", defaultValue);
    }

    strings(name: string): Flag {
        return this.declare(name, "strings", "");
    }

    /** Names of the flags that were written, in declaration order. */
    usedNames(): string[] {
        const names: string[] = [];
        for (const flag of this.declared?.values() ?? []) if (flag.used) names.push(flag.name);
        return names;
    }

    /** Throws an Error with BuildKit's message for the first bad flag. */
    parse(): void {
        const declared = this.declared;
        if (declared === undefined) return;
        for (const arg of this.written) {
            // POSIX utility guideline 10, as upstream: `--` ends the flags.
            if (arg === "--") return;
            if (!arg.startsWith("--")) throw new Error(`arg should start with -- : ${arg}`);
            const eq = arg.indexOf("=");
            const hasValue = eq >= 0;
            const flagName = hasValue ? arg.slice(0, eq) : arg;
            const value = hasValue ? arg.slice(eq + 1) : "";
            const flag = declared.get(flagName.slice(2));
            if (flag === undefined) {
                throw new Error(`unknown flag: ${flagName}${suggestion(flagName.slice(2), [...declared.keys()])}`);
            }
            if (flag.used && flag.kind !== "strings") throw new Error(`duplicate flag specified: ${flagName}`);
            flag.used = true;
            switch (flag.kind) {
                case "bool": {
                    if (hasValue && value === "") throw new Error(`missing a value on flag: ${flagName}`);
                    const lower = value.toLowerCase();
                    if (lower === "true" || lower === "") flag.value = "true";
                    else if (lower === "false") flag.value = "false";
                    else throw new Error(`expecting boolean value for flag ${flagName}, not: ${value}`);
                    break;
                }
                case "string":
                    if (!hasValue) throw new Error(`missing a value on flag: ${flagName}`);
                    flag.value = value;
                    break;
                case "strings":
                    if (!hasValue) throw new Error(`missing a value on flag: ${flagName}`);
                    flag.values.push(value);
                    break;
            }
        }
    }

    private declare(name: string, kind: FlagKind, value: string): Flag {
        const flag: Flag = { name, kind, value, values: [], used: false };
        this.declared?.set(name, flag);
        return flag;
    }
}

/**
 * BuildKit's util/suggest: the first option within edit distance 2 (strictly
 * closer than 3, as hcl) is offered as "did you mean"; an exact match means the
 * error is about something else, so nothing is suggested.
 */
export function suggestion(value: string, options: readonly string[], caseSensitive = true): string {
    const best = closest(value, options, caseSensitive);
    return best === undefined ? "" : ` (did you mean ${best}?)`;
}

export function closest(value: string, options: readonly string[], caseSensitive = true): string | undefined {
    const v = caseSensitive ? value : value.toLowerCase();
    let match: string | undefined;
    let minDistance = 3;
    for (const option of options) {
        const o = caseSensitive ? option : option.toLowerCase();
        if (o === v) return undefined;
        const distance = levenshtein(v, o, minDistance);
        if (distance < minDistance) {
            match = caseSensitive ? o : matchCase(o, value);
            minDistance = distance;
        }
    }
    return match;
}

function matchCase(value: string, original: string): string {
    if (original === original.toLowerCase()) return value.toLowerCase();
    if (original === original.toUpperCase()) return value.toUpperCase();
    return value;
}

/**
 * Edit distance, or `limit` when it is `limit` or more. Only cells within
 * `limit` of the diagonal can stay below it, so the work is linear in the
 * length: names come from the Dockerfile and may be very long.
 */
function levenshtein(a: string, b: string, limit: number): number {
    if (Math.abs(a.length - b.length) >= limit) return limit;
    const m = b.length;
    let previous = new Array<number>(m + 2);
    let current = new Array<number>(m + 2);
    for (let j = 0; j <= m + 1; j++) previous[j] = Math.min(j, limit);
    for (let i = 1; i <= a.length; i++) {
        const lo = Math.max(1, i - limit + 1);
        const hi = Math.min(m, i + limit - 1);
        // the cells just outside the band read as `limit`
        current[lo - 1] = lo === 1 ? Math.min(i, limit) : limit;
        let rowMin = current[lo - 1];
        const ai = a.charCodeAt(i - 1);
        for (let j = lo; j <= hi; j++) {
            const cost = ai === b.charCodeAt(j - 1) ? 0 : 1;
            const d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost, limit);
            current[j] = d;
            if (d < rowMin) rowMin = d;
        }
        current[hi + 1] = limit;
        if (rowMin >= limit) return limit;
        [previous, current] = [current, previous];
    }
    return previous[m];
}
