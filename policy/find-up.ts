import * as fs from "fs";
import * as path from "path";

/**
 * The nearest directory at or above `start` that holds one of `entries` (relative
 * paths, tried in order), as the Pulumi CLI finds Pulumi.yaml and ts-node finds
 * tsconfig.json; undefined when the walk reaches the file-system root.
 */
export function findUp(start: string, entries: readonly string[]): string | undefined {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
        if (entries.some((entry) => fs.existsSync(path.join(dir, entry)))) return dir;
        if (path.dirname(dir) === dir) return undefined;
    }
}
