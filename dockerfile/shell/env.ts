/**
 * The variables a word is expanded against (BuildKit shell.EnvGetter). Keys are
 * compared exactly, as BuildKit does on Unix (equal_env_unix.go); the Windows
 * case-folding is out of scope because we only judge Linux images.
 */
export interface EnvGetter {
    /** The value, or undefined when the variable is not set (set-but-empty is ""). */
    get(key: string): string | undefined;
    /** Every key, in the order it was given. */
    keys(): string[];
}

/** An environment with nothing in it: words lexed for their shape, not their values. */
export const EMPTY_ENV: EnvGetter = { get: () => undefined, keys: () => [] };

/**
 * An EnvGetter over a copy of `m`. A later duplicate key wins, like BuildKit's
 * EnvsFromSlice. Plain objects are read by own keys only, so `constructor` or
 * `__proto__` are ordinary (unset) names.
 */
export function envFromMap(m: Map<string, string> | Record<string, string>): EnvGetter {
    const values = new Map<string, string>();
    const entries: Iterable<[string, string]> = m instanceof Map ? m.entries() : Object.entries(m);
    for (const [key, value] of entries) {
        if (typeof value !== "string") {
            throw new TypeError(`environment variable ${JSON.stringify(key)} must be a string, got ${typeof value}`);
        }
        values.set(key, value);
    }
    const keys = [...values.keys()];
    return {
        get: (key) => values.get(key),
        keys: () => keys.slice(),
    };
}
