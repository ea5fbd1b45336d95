import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { httpsSourceUrl, ProvenanceError, readGitFacts, resolveProvenance, toRfc3339Utc } from "../../components/provenance";

function git(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
    return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", env: { ...process.env, ...env } }).trim();
}

describe("provenance", () => {
    let tmp: string;
    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-git-"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("turns every kind of network remote into an https URL and refuses local ones", () => {
        const cases: [string, string | undefined][] = [
            ["git@github.com:roder/stroma.git", "https://github.com/roder/stroma"],
            ["https://github.com/roder/stroma.git", "https://github.com/roder/stroma"],
            ["https://user:token@github.com/roder/stroma", "https://github.com/roder/stroma"],
            ["http://gitlab.example.com/group/sub/project.git/", "https://gitlab.example.com/group/sub/project"],
            ["ssh://git@github.com:22/roder/stroma.git", "https://github.com/roder/stroma"],
            ["git://git.kernel.org/pub/scm/git/git.git", "https://git.kernel.org/pub/scm/git/git"],
            ["/srv/git/stroma.git", undefined],
            ["file:///srv/git/stroma.git", undefined],
            ["../stroma", undefined],
            ["https://github.com/", undefined],
        ];
        for (const [remote, expected] of cases) assert.strictEqual(httpsSourceUrl(remote), expected, remote);
    });

    it("normalises commit times to RFC 3339 UTC", () => {
        assert.strictEqual(toRfc3339Utc("2026-02-06T13:04:05+01:00"), "2026-02-06T12:04:05Z");
        assert.throws(() => toRfc3339Utc("yesterday"), ProvenanceError);
    });

    it("reads HEAD, its commit time and origin once per directory", () => {
        const repo = path.join(tmp, "repo");
        fs.mkdirSync(repo);
        git(repo, ["init", "-q"]);
        fs.writeFileSync(path.join(repo, "f"), "x");
        git(repo, ["add", "f"]);
        const env = { GIT_AUTHOR_NAME: "a", GIT_AUTHOR_EMAIL: "a@example.com", GIT_COMMITTER_NAME: "a", GIT_COMMITTER_EMAIL: "a@example.com", GIT_COMMITTER_DATE: "2026-02-06T13:04:05+01:00", GIT_AUTHOR_DATE: "2020-01-01T00:00:00Z" };
        git(repo, ["commit", "-qm", "one"], env);
        git(repo, ["remote", "add", "origin", "git@github.com:roder/stroma.git"]);
        const facts = readGitFacts(repo);
        assert.deepStrictEqual(facts, { commit: git(repo, ["rev-parse", "HEAD"]), commitTime: "2026-02-06T12:04:05Z", sourceUrl: "https://github.com/roder/stroma" });
        // Memoised: a later commit in the same process is not seen, and the same object comes back.
        git(repo, ["commit", "-q", "--allow-empty", "-m", "two"], env);
        assert.strictEqual(readGitFacts(repo), facts);
        // Git wins over the fallbacks (the remote is a real source URL).
        assert.deepStrictEqual(resolveProvenance(repo, { sourceUrl: "https://example.com/other", revision: "abc1234", created: "2000-01-01T00:00:00Z" }), {
            source: "https://github.com/roder/stroma",
            revision: facts.commit,
            created: "2026-02-06T12:04:05Z",
        });
    });

    it("without git, uses the fallbacks, and says which one is missing", () => {
        const notRepo = path.join(tmp, "plain");
        fs.mkdirSync(notRepo);
        const fallbacks = { sourceUrl: "https://example.com/src", revision: "0123456789abcdef0123456789abcdef01234567", created: "2026-01-01T00:00:00Z" };
        assert.deepStrictEqual(resolveProvenance(notRepo, fallbacks), { source: fallbacks.sourceUrl, revision: fallbacks.revision, created: fallbacks.created });
        assert.throws(
            () => resolveProvenance(notRepo, { sourceUrl: fallbacks.sourceUrl }),
            (err: unknown) =>
                err instanceof ProvenanceError &&
                err.fallback === "revision" &&
                err.message.includes("org.opencontainers.image.revision") &&
                err.message.includes(notRepo) &&
                /not a git repository/i.test(err.message),
        );
        assert.throws(() => resolveProvenance(notRepo, { ...fallbacks, created: "Feb 6" }), /RFC 3339/);
    });

    it("a repository without origin needs the sourceUrl fallback", () => {
        const repo = path.join(tmp, "no-remote");
        fs.mkdirSync(repo);
        git(repo, ["init", "-q"]);
        git(repo, ["commit", "-q", "--allow-empty", "-m", "one"], { GIT_AUTHOR_NAME: "a", GIT_AUTHOR_EMAIL: "a@e.com", GIT_COMMITTER_NAME: "a", GIT_COMMITTER_EMAIL: "a@e.com" });
        assert.throws(() => resolveProvenance(repo), (err: unknown) => err instanceof ProvenanceError && err.fallback === "sourceUrl" && /no `origin` remote/.test(err.message));
        assert.strictEqual(resolveProvenance(repo, { sourceUrl: "https://example.com/x" }).source, "https://example.com/x");
    });
});
