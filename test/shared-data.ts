import * as fs from "fs";
import * as path from "path";

/**
 * The data the tests read but the repository does not carry (BuildKit's parser and
 * shell conformance files, the 596-file Dockerfile corpus) sits beside the clone in
 * `../shared`, as on CI and developer machines; SHIPSHAPE_SHARED_DIR points elsewhere.
 * A missing directory is an error naming it: a suite that silently ran fewer cases
 * would report conformance it did not check.
 */
export function sharedPath(...parts: string[]): string {
    const root = process.env.SHIPSHAPE_SHARED_DIR ?? path.resolve(__dirname, "..", "..", "shared");
    const location = path.join(root, ...parts);
    if (!fs.existsSync(location)) {
        throw new Error(`${location} is missing: the conformance and corpus tests read <repo>/../shared (or $SHIPSHAPE_SHARED_DIR)`);
    }
    return location;
}
