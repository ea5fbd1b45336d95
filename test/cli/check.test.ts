import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { IMAGE_POLICY_NAMES } from "../../dockerfile/types";
import { runCli, type CliRun } from "./in-process";
import { ensureBuilt } from "../build-once";

const REPO = path.resolve(__dirname, "..", "..");

const COMPLIANT = `# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
FROM --platform=$BUILDPLATFORM golang:\${GO_VERSION} AS build
RUN go build -o /out/app .

FROM gcr.io/distroless/static-debian12:nonroot AS runtime
ARG VERSION=dev
ARG REVISION
ARG CREATED
LABEL org.opencontainers.image.title=demo \\
      org.opencontainers.image.source=https://github.com/example/demo \\
      org.opencontainers.image.version=$VERSION \\
      org.opencontainers.image.revision=$REVISION \\
      org.opencontainers.image.created=$CREATED
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
`;
const COMPLIANT_ARGS = ["--build-arg", "REVISION=8ff9913", "--build-arg", "CREATED=2024-05-01T12:00:00Z", "--platform", "linux/amd64"];

const ROOTY = `FROM node:20
WORKDIR /app
COPY . .
USER root
CMD ["node", "index.js"]
`;

/** `shipshape check ARGS`, in-process. */
function check(args: string[]): Promise<CliRun> {
    return runCli(["check", ...args]);
}

describe("shipshape check", () => {
    let dir: string;
    const write = (name: string, text: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    };
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-check-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("exit 0 and a readable verdict for a compliant image", async () => {
        const file = write("Dockerfile", COMPLIANT);
        const r = await check([file, ...COMPLIANT_ARGS]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /base: +gcr\.io\/distroless\/static-debian12:nonroot/);
        assert.match(r.stdout, /user: +"65532" -> non-root/);
        assert.match(r.stdout, /platform: +linux\/amd64/);
        assert.match(r.stdout, /org\.opencontainers\.image\.revision=8ff9913/);
        assert.match(r.stdout, /OK: no violations/);
        assert.equal(r.stderr, "");
    });

    it("exit 1 with file:line for each violation (text)", async () => {
        const file = write("Dockerfile.root", ROOTY);
        const r = await check([file]);
        assert.equal(r.code, 1);
        assert.match(r.stdout, new RegExp(`${escape(file)}:4: image-non-root-user: the image runs as root`));
        assert.match(r.stdout, new RegExp(`${escape(file)}:1: image-distroless-base: base image docker.io/library/node:20`));
        assert.match(r.stdout, new RegExp(`${escape(file)}:1: image-amd64-only: no platform was requested`));
        assert.match(r.stdout, /image-oci-labels: required label org\.opencontainers\.image\.title is missing/);
    });

    it("json: the documented shape", async () => {
        const file = write("Dockerfile.json", COMPLIANT);
        const r = await check([file, "--format", "json", "--platform", "linux/amd64,linux/arm64", "--target", "RUNTIME", "--label", "org.opencontainers.image.version=2.0"]);
        assert.equal(r.code, 1);
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.file, file);
        assert.equal(doc.target, "runtime");
        for (const key of ["stages", "base", "user", "userVerdict", "platform", "labels"]) assert.ok(key in doc.image, key);
        assert.equal(doc.image.base, "gcr.io/distroless/static-debian12:nonroot");
        assert.equal(doc.image.user, "65532");
        assert.equal(doc.image.userVerdict, "non-root");
        assert.equal(doc.image.labels["org.opencontainers.image.version"], "2.0");
        assert.deepEqual(doc.image.stages.map((s: { line: number }) => s.line), [6]);
        const policies = doc.violations.map((v: { policy: string }) => v.policy);
        assert.ok(policies.includes("image-amd64-only"));
        const amd = doc.violations.find((v: { policy: string }) => v.policy === "image-amd64-only");
        assert.match(amd.message, /linux\/arm64/);
        for (const v of doc.violations) assert.deepEqual(Object.keys(v).sort(), ["line", "message", "policy"]);
    });

    it("sarif: SARIF 2.1.0 with the four rules and located error results", async () => {
        const file = write("Dockerfile.sarif", ROOTY);
        const r = await check([file, "--format", "sarif", "--platform", "linux/amd64"]);
        assert.equal(r.code, 1);
        const sarif = JSON.parse(r.stdout);
        assert.equal(sarif.version, "2.1.0");
        assert.match(sarif.$schema, /sarif-2\.1\.0/);
        const run = sarif.runs[0];
        assert.equal(run.tool.driver.name, "shipshape");
        assert.deepEqual(run.tool.driver.rules.map((rule: { id: string }) => rule.id), [...IMAGE_POLICY_NAMES]);
        assert.ok(run.results.length >= 3);
        for (const result of run.results) {
            assert.equal(result.level, "error");
            assert.equal(run.tool.driver.rules[result.ruleIndex].id, result.ruleId);
            const loc = result.locations[0].physicalLocation;
            assert.ok(loc.region.startLine >= 1);
            assert.ok(loc.artifactLocation.uri.endsWith("Dockerfile.sarif"));
        }
        const user = run.results.find((x: { ruleId: string }) => x.ruleId === "image-non-root-user");
        assert.equal(user.locations[0].physicalLocation.region.startLine, 4);
    });

    it("exit 2 naming file and line when BuildKit would reject the Dockerfile", async () => {
        const file = write("Dockerfile.bad", "FROM alpine\nFORM x\n");
        const r = await check([file, "--format", "json"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, new RegExp(`${escape(file)}:2: unknown instruction: FORM`));
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.violations.length, 4);
        assert.equal(doc.errors[0].line, 2);
    });

    it("exit 2 saying so for a file with no FROM", async () => {
        const file = write("Dockerfile.nofrom", "RUN echo hi\n");
        const r = await check([file]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, new RegExp(`${escape(file)}:1: no build stage in current context`));
        assert.match(r.stderr, /no FROM instruction/);
    });

    it("exit 2 with dockerfile2llb's message for a zero-byte file; a blank one gets the parser's, at its line", async () => {
        const empty = write("Dockerfile.empty", "");
        const r = await check([empty, "--format", "json"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, new RegExp(`^${escape(empty)}: the Dockerfile cannot be empty\n`));
        const errors = JSON.parse(r.stdout).errors as { message: string; line: number | null }[];
        assert.deepEqual(errors.map((e) => [e.message, e.line]), [["the Dockerfile cannot be empty", null]], "no line to point at");
        const blank = write("Dockerfile.blank", "\n# nothing here\n");
        const b = await check([blank]);
        assert.equal(b.code, 2);
        assert.match(b.stderr, new RegExp(`^${escape(blank)}:2: file with no instructions\n`));
    });

    it("exit 2 for a missing stage named by --target", async () => {
        const file = write("Dockerfile.target", COMPLIANT);
        const r = await check([file, "--target", "nope"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /nope/);
    });

    it("exit 2 for an unreadable file", async () => {
        const missing = path.join(dir, "does-not-exist");
        const r = await check([missing]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, new RegExp(`${escape(missing)}: cannot read`));
        assert.equal(r.stdout, "");
    });

    it("exit 2 naming the flag for bad --build-arg / --label syntax", async () => {
        const file = write("Dockerfile.flags", COMPLIANT);
        for (const [flag, value] of [["--build-arg", "NOVALUE"], ["--build-arg", "=x"], ["--label", "justakey"]]) {
            const r = await check([file, flag, value]);
            assert.equal(r.code, 2, `${flag} ${value}`);
            assert.match(r.stderr, new RegExp(`${flag}: `));
        }
    });

    it("exit 2 naming --platform for an invalid platform, before blaming the Dockerfile", async () => {
        const file = write("Dockerfile.platform", COMPLIANT);
        for (const value of ["bogus!", "linux/amd64,linux/"]) {
            const r = await check([file, "--platform", value]);
            assert.equal(r.code, 2, value);
            assert.match(r.stderr, /^shipshape check: --platform: invalid platform "(bogus!|linux\/)"/);
            assert.equal(r.stdout, "");
        }
        const split = await check([file, ...COMPLIANT_ARGS.slice(0, 4), "--platform", "linux/amd64, amd64", "--format", "json"]);
        assert.equal(split.code, 0, split.stdout + split.stderr);
        assert.deepEqual(JSON.parse(split.stdout).image.platforms, ["linux/amd64", "linux/amd64"]);
    });

    it("exit 2 for an unknown --format", async () => {
        const file = write("Dockerfile.format", COMPLIANT);
        const r = await check([file, "--format", "xml"]);
        assert.equal(r.code, 2);
    });

    it("build args reach the analysis (ARG-built USER)", async () => {
        const file = write("Dockerfile.arguser", "FROM alpine\nARG UID=0\nUSER ${UID}\n");
        const root = JSON.parse((await check([file, "--format", "json"])).stdout);
        assert.equal(root.image.userVerdict, "root");
        const nonRoot = JSON.parse((await check([file, "--format", "json", "--build-arg", "UID=10001"])).stdout);
        assert.equal(nonRoot.image.user, "10001");
        assert.equal(nonRoot.image.userVerdict, "non-root");
    });
});

describe("shipshape check (spawned, compiled CLI)", () => {
    before(function () {
        this.timeout(180_000);
        ensureBuilt();
    });
    it("node bin/shipshape.js check exits 1 with violations on stdout", () => {
        assert.ok(fs.existsSync(path.join(REPO, "dist", "cli", "commands", "check.js")));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-spawn-"));
        try {
            const file = path.join(dir, "Dockerfile");
            fs.writeFileSync(file, ROOTY);
            const r = spawnSync(process.execPath, [path.join(REPO, "bin", "shipshape.js"), "check", file, "--format", "json"], { encoding: "utf8" });
            assert.equal(r.status, 1, r.stderr);
            const doc = JSON.parse(r.stdout);
            assert.equal(doc.image.userVerdict, "root");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

function escape(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
