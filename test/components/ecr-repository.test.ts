import * as assert from "assert";
import { EcrRepository, PULL_ACTIONS } from "../../components/ecr-repository";
import { keepNewestTagged, expireUntaggedAfterDays, LifecycleRule } from "../../lifecycle/index";
import { MockSession, settle, useMocks, valueOf } from "./mocks";

const REPOSITORY = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";
const REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy";

describe("EcrRepository", () => {
    let mocks: MockSession;
    before(async () => {
        mocks = await useMocks();
    });

    it("defaults: scan on push, AES256, immutable tags except the cache tag, cache tag protected, no pull policy", async () => {
        const repo = new EcrRepository("defaults", { name: "team/defaults" });
        assert.strictEqual(await valueOf(repo.cacheRef), "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/defaults:cache");
        assert.strictEqual(await valueOf(repo.registryId), "123456789012");
        assert.strictEqual(await valueOf(repo.arn), "arn:aws:ecr:eu-west-1:123456789012:repository/team/defaults");
        await settle();
        const inputs = mocks.find(REPOSITORY, "defaults")!.inputs;
        assert.deepStrictEqual(inputs.imageScanningConfiguration, { scanOnPush: true });
        assert.deepStrictEqual(inputs.encryptionConfigurations, [{ encryptionType: "AES256" }]);
        assert.strictEqual(inputs.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
        assert.deepStrictEqual(inputs.imageTagMutabilityExclusionFilters, [{ filter: "cache", filterType: "WILDCARD" }]);
        assert.strictEqual(inputs.forceDelete, false);
        const policy = JSON.parse(mocks.find(LIFECYCLE, "defaults")!.inputs.policy as string) as { rules: LifecycleRule[] };
        assert.deepStrictEqual(policy.rules.map((r) => [r.rulePriority, r.selection.tagStatus, r.selection.tagPatternList]), [[1, "tagged", ["cache"]]]);
        assert.strictEqual(mocks.find(REPOSITORY_POLICY, "defaults"), undefined);
    });

    it("children are parented to the component", async () => {
        const repo = new EcrRepository("parented", { pullAccountIds: ["111122223333"] });
        const urns = await Promise.all([repo.repository.urn, repo.lifecyclePolicyResource.urn, repo.repositoryPolicy!.urn].map(valueOf));
        assert.deepStrictEqual(urns, [
            "urn:pulumi:test::shipshape::shipshape:ecr:Repository$aws:ecr/repository:Repository::parented",
            "urn:pulumi:test::shipshape::shipshape:ecr:Repository$aws:ecr/lifecyclePolicy:LifecyclePolicy::parented",
            "urn:pulumi:test::shipshape::shipshape:ecr:Repository$aws:ecr/repositoryPolicy:RepositoryPolicy::parented",
        ]);
    });

    it("KMS, forceDelete, a custom cache tag and cross-account pull with exactly the three pull actions", async () => {
        const kmsKey = "arn:aws:kms:eu-west-1:111122223333:key/abc";
        const repo = new EcrRepository("configured", {
            name: "team/configured",
            encryption: { type: "KMS", kmsKey },
            forceDelete: true,
            cacheTag: "buildcache",
            pullAccountIds: ["777788889999", "444455556666", "777788889999"],
            // Given out of priority order: the deployed JSON must be sorted, or the provider diffs on every deploy.
            lifecycleRules: [expireUntaggedAfterDays(3, 20), keepNewestTagged({ tagPatternList: ["*"], count: 5, priority: 10 })],
        });
        assert.strictEqual(await valueOf(repo.cacheRef), "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/configured:buildcache");
        await settle();
        const inputs = mocks.find(REPOSITORY, "configured")!.inputs;
        assert.deepStrictEqual(inputs.encryptionConfigurations, [{ encryptionType: "KMS", kmsKey }]);
        assert.strictEqual(inputs.forceDelete, true);
        assert.deepStrictEqual(inputs.imageTagMutabilityExclusionFilters, [{ filter: "buildcache", filterType: "WILDCARD" }]);
        const policy = JSON.parse(mocks.find(LIFECYCLE, "configured")!.inputs.policy as string) as { rules: LifecycleRule[] };
        assert.deepStrictEqual(policy.rules.map((r) => r.rulePriority), [1, 10, 20]);
        assert.deepStrictEqual(policy.rules[0].selection.tagPatternList, ["buildcache"]);
        const document = JSON.parse(mocks.find(REPOSITORY_POLICY, "configured")!.inputs.policy as string);
        assert.strictEqual(document.Statement.length, 1);
        assert.deepStrictEqual([...document.Statement[0].Action].sort(), ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]);
        assert.deepStrictEqual([...PULL_ACTIONS].sort(), [...document.Statement[0].Action].sort());
        assert.strictEqual(document.Statement[0].Effect, "Allow");
        assert.deepStrictEqual(document.Statement[0].Principal, { AWS: ["444455556666", "777788889999"] });
    });

    it("MUTABLE repositories get no exclusion filter", async () => {
        new EcrRepository("mutable", { immutability: "MUTABLE" });
        await settle();
        const inputs = mocks.find(REPOSITORY, "mutable")!.inputs;
        assert.strictEqual(inputs.imageTagMutability, "MUTABLE");
        assert.strictEqual(inputs.imageTagMutabilityExclusionFilters, undefined);
    });

    it("a bad lifecycle rule fails construction with the lifecycle library's message, before anything is registered", async () => {
        const bad = {
            rulePriority: 5,
            selection: { tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 3 },
            action: { type: "expire" },
        } as LifecycleRule;
        assert.throws(
            () => new EcrRepository("badrule", { lifecycleRules: [bad] }),
            (err: Error) => err.name === "LifecycleValidationError" && /EcrRepository "badrule" lifecycle policy/.test(err.message) && /rules\[1\]/.test(err.message) && /tagPrefixList|tagPatternList/.test(err.message),
        );
        await settle();
        assert.ok(!mocks.registrations.some((r) => r.name === "badrule"), "nothing registered for a rejected repository");
    });

    it("refuses the reserved cache-protection priority, a wildcard cache tag, bad account ids and plain IMMUTABLE", () => {
        const keep = keepNewestTagged({ tagPatternList: ["*"], count: 5, priority: 1 });
        assert.throws(() => new EcrRepository("clash", { lifecycleRules: [keep] }), /lifecycleRules\[0\]\.rulePriority 1 is reserved/);
        assert.throws(() => new EcrRepository("wild", { cacheTag: "cache*" }), /cacheTag "cache\*" is not a valid image tag/);
        assert.throws(() => new EcrRepository("acct", { pullAccountIds: ["12345"] }), /pullAccountIds: "12345" is not a 12-digit AWS account id/);
        assert.throws(
            () => new EcrRepository("immutable", { immutability: "IMMUTABLE" as never }),
            /immutability "IMMUTABLE" is not supported/,
        );
        assert.throws(() => new EcrRepository("badname", { name: "Team/Upper" }), /not a valid ECR repository name/);
    });
});
