import { execFileSync } from "child_process";
// The same calendar-checked RFC 3339 test the image-oci-labels judgment applies, so a fallback it accepts is never refused later.
import { isRfc3339DateTime } from "../dockerfile/index";

/**
 * Where an image's source comes from, for the OCI `source`, `revision` and
 * `created` labels. Read from git once per process and directory: every
 * ContainerImage of a stack shares the same answer, and a stack of a hundred
 * images must not spawn git two hundred times.
 */
export interface GitFacts {
    /** Full commit id of HEAD. */
    commit: string;
    /** HEAD's committer time, RFC 3339 in UTC: a rebuild of the same commit gets the same label. */
    commitTime: string;
    /** The `origin` remote as an https URL; undefined when there is none or it is not a network URL (a local path). */
    sourceUrl?: string;
}

/** Values used when git cannot answer (a source tarball, a CI checkout without .git, a repo without remote). */
export interface ProvenanceFallbacks {
    sourceUrl?: string;
    revision?: string;
    created?: string;
}

export interface Provenance {
    source: string;
    revision: string;
    created: string;
}

export class ProvenanceError extends Error {
    constructor(
        message: string,
        /** The fallback that would have answered, when one is missing. */
        readonly fallback?: keyof ProvenanceFallbacks,
    ) {
        super(message);
        this.name = "ProvenanceError";
    }
}

const gitFactsByDir = new Map<string, GitFacts | ProvenanceError>();

function git(dir: string, args: string[]): string {
    return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Memoised per directory; a failure is memoised too so every image reports the same cause. Throws ProvenanceError. */
export function readGitFacts(dir: string): GitFacts {
    let facts = gitFactsByDir.get(dir);
    if (facts === undefined) {
        facts = readGitFactsUncached(dir);
        gitFactsByDir.set(dir, facts);
    }
    if (facts instanceof ProvenanceError) throw facts;
    return facts;
}

function readGitFactsUncached(dir: string): GitFacts | ProvenanceError {
    let head: string;
    try {
        head = git(dir, ["log", "-1", "--format=%H%n%cI"]);
    } catch (err) {
        const stderr = (err as { stderr?: string }).stderr?.toString().trim();
        const cause = (err as NodeJS.ErrnoException).code === "ENOENT" ? "git is not installed" : stderr || String(err);
        return new ProvenanceError(`cannot read git facts in ${dir}: ${cause}`);
    }
    const [commit, isoTime] = head.split("\n");
    if (!commit || !/^[0-9a-f]{40,64}$/.test(commit) || !isoTime) {
        return new ProvenanceError(`cannot read git facts in ${dir}: unexpected \`git log\` output ${JSON.stringify(head)}`);
    }
    let remote: string | undefined;
    try {
        remote = git(dir, ["remote", "get-url", "origin"]);
    } catch {
        remote = undefined; // no origin: the caller falls back to configuration
    }
    return { commit, commitTime: toRfc3339Utc(isoTime), sourceUrl: remote === undefined ? undefined : httpsSourceUrl(remote) };
}

/** `2026-11-23T23:08:11+01:00` -> `2026-11-23T22:08:11Z`. */
export function toRfc3339Utc(isoTime: string): string {
    const time = new Date(isoTime);
    if (Number.isNaN(time.getTime())) throw new ProvenanceError(`not a timestamp: ${JSON.stringify(isoTime)}`);
    return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * A git remote as the https URL a person can open: credentials, port and
 * `.git` removed. ssh, scp-like, git:// and http(s) remotes are converted;
 * a local path or file:// remote gives undefined (it names no public source).
 */
export function httpsSourceUrl(remote: string): string | undefined {
    const trimmed = remote.trim();
    let host: string;
    let path: string;
    const scpLike = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(trimmed);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
        let url: URL;
        try {
            url = new URL(trimmed);
        } catch {
            return undefined;
        }
        if (!["https:", "http:", "ssh:", "git:", "git+ssh:", "ssh+git:"].includes(url.protocol) || url.hostname === "") return undefined;
        host = url.hostname;
        path = url.pathname;
    } else if (scpLike !== null && scpLike[1].includes(".")) {
        host = scpLike[1];
        path = scpLike[2];
    } else {
        return undefined;
    }
    path = path.replace(/^\/+/, "").replace(/\/+$/, "").replace(/\.git$/, "");
    if (path === "") return undefined;
    return `https://${host}/${path}`;
}

/**
 * The provenance labels' values. Precedence: git first (HEAD commit, its committer time, origin as https),
 * each fallback only when git cannot give that value. This repository has no
 * remote, so `source` comes from the `sourceUrl` fallback here, while a clone
 * from GitHub labels itself with its real origin.
 */
export function resolveProvenance(dir: string, fallbacks: ProvenanceFallbacks = {}): Provenance {
    let facts: GitFacts | undefined;
    let gitError: ProvenanceError | undefined;
    try {
        facts = readGitFacts(dir);
    } catch (err) {
        if (!(err instanceof ProvenanceError)) throw err;
        gitError = err;
    }
    const missing = (label: string, fallback: keyof ProvenanceFallbacks): never => {
        const why = gitError !== undefined ? gitError.message : "git has no `origin` remote with a network URL";
        throw new ProvenanceError(`cannot set label org.opencontainers.image.${label}: ${why}, and no fallback \`${fallback}\` is configured`, fallback);
    };
    if (fallbacks.created !== undefined && !isRfc3339DateTime(fallbacks.created)) {
        throw new ProvenanceError(`fallback \`created\` must be an RFC 3339 timestamp, got ${JSON.stringify(fallbacks.created)}`, "created");
    }
    return {
        source: facts?.sourceUrl ?? fallbacks.sourceUrl ?? missing("source", "sourceUrl"),
        revision: facts?.commit ?? fallbacks.revision ?? missing("revision", "revision"),
        created: facts?.commitTime ?? fallbacks.created ?? missing("created", "created"),
    };
}
