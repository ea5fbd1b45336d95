import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { imagePolicyForStack } from "../../components/program";
import { parseStackConfig, StackConfigError } from "../../components/stack-config";
import { loadProject, loadStackConfig as readStackFile } from "../../engine/project";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The config values exactly as the engine hands them to the program (PULUMI_CONFIG). */
function stackValues(stack: string): Record<string, string> {
    return readStackFile(loadProject(REPO_ROOT), stack).config;
}

function withImages(base: Record<string, string>, edit: (images: Record<string, unknown>[]) => void): Record<string, string> {
    const images = JSON.parse(base["shipshape:images"]) as Record<string, unknown>[];
    edit(images);
    return { ...base, "shipshape:images": JSON.stringify(images) };
}

function problemsOf(values: Record<string, string>, stack = "dev"): string {
    try {
        parseStackConfig(values, { stack, projectRoot: REPO_ROOT });
    } catch (err) {
        assert.ok(err instanceof StackConfigError, `expected StackConfigError, got ${String(err)}`);
        return err.message;
    }
    assert.fail("the configuration was accepted");
}

describe("stack configuration (shipshape:*)", () => {
    it("accepts both stack files and orders bases before the images built on them", () => {
        for (const stack of ["dev", "prod"]) {
            const config = parseStackConfig(stackValues(stack), { stack, projectRoot: REPO_ROOT });
            assert.strictEqual(config.stackFile, `Pulumi.${stack}.yaml`);
            const order = config.buildOrder.map((i) => i.name);
            assert.ok(order.indexOf("colony-base") < order.indexOf("colony"), order.join());
            assert.strictEqual(config.images.find((i) => i.name === "colony")!.baseBuildArg, "BASE_IMAGE");
            assert.strictEqual(config.images.find((i) => i.name === "colony-base")!.role, "builder");
        }
    });

    it("dev and prod differ as their environments do", () => {
        const dev = parseStackConfig(stackValues("dev"), { stack: "dev" });
        const prod = parseStackConfig(stackValues("prod"), { stack: "prod" });
        assert.deepStrictEqual([dev.repository.forceDelete, prod.repository.forceDelete], [true, false]);
        assert.deepStrictEqual([dev.repository.encryption.type, prod.repository.encryption.type], ["AES256", "KMS"]);
        assert.deepStrictEqual([dev.repository.pullAccounts.length > 0, prod.repository.pullAccounts.length > 0], [false, true]);
        assert.deepStrictEqual([dev.tagVersion, prod.tagVersion], [false, true]);
        assert.ok(dev.repository.retention.expireUntaggedAfterDays! < prod.repository.retention.expireUntaggedAfterDays!);
    });

    it("names the key and the stack file for a missing image field", () => {
        const values = withImages(stackValues("dev"), (images) => delete images[1].context);
        assert.strictEqual(problemsOf(values), "Pulumi.dev.yaml: shipshape:images[1].context: is required");
    });

    it("names the key of a wrong type, a bad enum and an unknown field", () => {
        const values = withImages(stackValues("prod"), (images) => {
            images[0].buildArgs = { VERSION: 3 };
            images[2].role = "sidecar";
            images[3].contxt = "services/x";
        });
        const message = problemsOf(values, "prod");
        assert.match(message, /^Pulumi\.prod\.yaml: invalid stack configuration:/);
        assert.match(message, /shipshape:images\[0\]\.buildArgs\.VERSION: Invalid input: expected string, received number/);
        assert.match(message, /shipshape:images\[2\]\.role: /);
        assert.match(message, /shipshape:images\[3\]\.contxt: unknown key/);
    });

    it("checks base references: unknown, self, cycles, and a build arg the base would overwrite", () => {
        assert.match(problemsOf(withImages(stackValues("dev"), (i) => (i[2].base = "colony-bsae"))), /shipshape:images\[2\]\.base: "colony-bsae" names no entry/);
        assert.match(problemsOf(withImages(stackValues("dev"), (i) => (i[2].base = "colony"))), /shipshape:images\[2\]\.base: an image cannot be its own base/);
        assert.match(problemsOf(withImages(stackValues("dev"), (i) => (i[1].base = "colony"))), /base images form a cycle: (colony-base -> colony -> colony-base|colony -> colony-base -> colony)/);
        assert.match(problemsOf(withImages(stackValues("dev"), (i) => (i[2].buildArgs = { BASE_IMAGE: "x" }))), /shipshape:images\[2\]\.buildArgs\.BASE_IMAGE: is set by base "colony-base"/);
        assert.match(problemsOf(withImages(stackValues("dev"), (i) => (i[3].name = "stroma"))), /shipshape:images\[3\]\.name: "stroma" is already the name of images\[0\]/);
    });

    it("checks that contexts and Dockerfiles exist", () => {
        assert.match(problemsOf(withImages(stackValues("dev"), (i) => (i[0].context = "services/nope"))), /shipshape:images\[0\]\.context: services\/nope is not a directory/);
        assert.match(problemsOf(withImages(stackValues("dev"), (i) => (i[1].dockerfile = "services/colony/Dockerfile.nope"))), /shipshape:images\[1\]\.dockerfile: services\/colony\/Dockerfile\.nope is not a file/);
    });

    it("refuses unknown shipshape keys, text where a list belongs, and repository settings AWS or the cache cannot live with", () => {
        assert.match(problemsOf({ ...stackValues("dev"), "shipshape:imagez": "[]" }), /^Pulumi\.dev\.yaml: shipshape:imagez: unknown key \(known: shipshape:images, shipshape:repository, /);
        assert.strictEqual(problemsOf({ ...stackValues("dev"), "shipshape:images": "stroma" }), 'Pulumi.dev.yaml: shipshape:images: expected a list, got the text "stroma"');
        assert.strictEqual(problemsOf({ ...stackValues("dev"), "shipshape:tagVersion": "no" }), 'Pulumi.dev.yaml: shipshape:tagVersion: expected true or false, got the text "no"');
        const repository = (edit: (r: Record<string, unknown>) => void) => {
            const values = stackValues("prod");
            const r = JSON.parse(values["shipshape:repository"]) as Record<string, unknown>;
            edit(r);
            return problemsOf({ ...values, "shipshape:repository": JSON.stringify(r) }, "prod");
        };
        assert.match(repository((r) => (r.pullAccounts = [444455556666])), /shipshape:repository\.pullAccounts\[0\]: /);
        assert.match(repository((r) => (r.immutability = "IMMUTABLE")), /shipshape:repository\.immutability: must be IMMUTABLE_WITH_EXCLUSION or MUTABLE/);
        assert.match(repository((r) => (r.encryption = { type: "KMS", kmsKeyArn: "my-key" })), /shipshape:repository\.encryption\.kmsKeyArn: must be a KMS key or alias ARN/);
        assert.match(repository((r) => (r.cacheTag = "cache*")), /shipshape:repository\.cacheTag: must be a literal image tag/);
        // Raw AWS rules are validated by the lifecycle library; the message still names the config key.
        assert.match(
            repository((r) => ((r.retention as Record<string, unknown>).rules = [{ rulePriority: 30, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countNumber: 5 }, action: { type: "expire" } }])),
            /shipshape:repository\.retention\.rules\[0\]\.selection\.countUnit: /,
        );
    });

    it("requires at least one image", () => {
        assert.strictEqual(problemsOf({ "shipshape:images": "[]" }), "Pulumi.dev.yaml: shipshape:images: list at least one image");
        assert.strictEqual(problemsOf({ "aws:region": "eu-west-1" }), "Pulumi.dev.yaml: shipshape:images: is required");
    });
});

describe("image policy settings per stack (policy/config/<stack>.json)", () => {
    it("reads levels and properties the way the pack is configured for the stack", () => {
        const dev = imagePolicyForStack(REPO_ROOT, "dev");
        const prod = imagePolicyForStack(REPO_ROOT, "prod");
        const devFile = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "policy", "config", "dev.json"), "utf8"));
        for (const policy of ["image-non-root-user", "image-distroless-base", "image-amd64-only", "image-oci-labels"] as const) {
            assert.strictEqual(dev[policy]?.enforcementLevel, devFile[policy]?.enforcementLevel, `dev ${policy}`);
            // prod sets `all: mandatory` and no per-policy level.
            assert.strictEqual(prod[policy]?.enforcementLevel, "mandatory", `prod ${policy}`);
        }
        assert.strictEqual(prod["image-non-root-user"]?.properties?.requireNumericUser, true);
        assert.deepStrictEqual(imagePolicyForStack(REPO_ROOT, "no-such-stack"), {});
    });
});
