import type { EnvGetter } from "../shell";

/**
 * An ordered environment (llb.EnvList): what the shell lexer expands against.
 * Keys are case-sensitive, as on Linux. Copy-on-write is not needed: a stage
 * clones its parent's list once, when it starts.
 */
export class EnvList implements EnvGetter {
    private readonly values: Map<string, string>;

    constructor(entries?: Iterable<readonly [string, string]>) {
        this.values = new Map(entries ?? []);
    }

    get(key: string): string | undefined {
        return this.values.get(key);
    }

    has(key: string): boolean {
        return this.values.has(key);
    }

    get size(): number {
        return this.values.size;
    }

    keys(): string[] {
        return [...this.values.keys()];
    }

    set(key: string, value: string): void {
        this.values.set(key, value);
    }

    clone(): EnvList {
        return new EnvList(this.values);
    }
}
