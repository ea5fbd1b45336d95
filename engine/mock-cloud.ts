/**
 * What the embedded engine answers in place of the cloud providers. A real
 * preview of a stack whose resources already exist knows ARNs, repository URLs
 * and image digests; these placeholders play that part, deterministic per
 * resource, so the policies can judge values such as cache references instead
 * of stopping at "unknown during preview". Every placeholder uses the
 * documentation account 123456789012, so nothing here can be mistaken for, or
 * pushed to, a real registry.
 */
import { createHash } from "crypto";

export const PLACEHOLDER_ACCOUNT = "123456789012";
export const DEFAULT_REGION = "us-east-1";

export interface MockResourceRequest {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    custom?: boolean;
}

export interface MockCallRequest {
    token: string;
    inputs: Record<string, unknown>;
}

export class MockCloud {
    /** Invoke tokens answered with nothing, reported so an empty answer is never silent. */
    readonly unansweredCalls = new Set<string>();

    constructor(readonly region: string = DEFAULT_REGION) {}

    newResource(req: MockResourceRequest): { id: string | undefined; state: Record<string, unknown> } {
        if (req.custom === false) {
            // Component resources have no provider; their outputs come from registerOutputs.
            return { id: undefined, state: {} };
        }
        const state: Record<string, unknown> = { ...req.inputs, ...this.computedOutputs(req) };
        return { id: `${req.name}-${shortHash(req.type, req.name)}`, state };
    }

    call(req: MockCallRequest): Record<string, unknown> {
        const region = this.region;
        switch (req.token) {
            case "aws:ecr/getAuthorizationToken:getAuthorizationToken": {
                const password = "placeholder-ecr-password";
                return {
                    id: region,
                    authorizationToken: Buffer.from(`AWS:${password}`).toString("base64"),
                    expiresAt: "2099-01-01T00:00:00Z",
                    proxyEndpoint: `https://${PLACEHOLDER_ACCOUNT}.dkr.ecr.${region}.amazonaws.com`,
                    registryId: (req.inputs.registryId as string | undefined) ?? PLACEHOLDER_ACCOUNT,
                    userName: "AWS",
                    password,
                };
            }
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    id: PLACEHOLDER_ACCOUNT,
                    accountId: PLACEHOLDER_ACCOUNT,
                    arn: `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:user/shipshape-plan`,
                    userId: "AIDAPLACEHOLDER",
                };
            case "aws:index/getRegion:getRegion":
                return { id: region, name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
            case "aws:index/getPartition:getPartition":
                return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
            default:
                this.unansweredCalls.add(req.token);
                return {};
        }
    }

    private computedOutputs(req: MockResourceRequest): Record<string, unknown> {
        const region = this.region;
        const inputs = req.inputs;
        switch (req.type) {
            case "aws:ecr/repository:Repository": {
                // The engine auto-names a resource without `name`: logical name plus a random suffix.
                const repoName = typeof inputs.name === "string" ? inputs.name : `${req.name}-${shortHash(req.type, req.name)}`;
                return {
                    name: repoName,
                    arn: `arn:aws:ecr:${region}:${PLACEHOLDER_ACCOUNT}:repository/${repoName}`,
                    registryId: PLACEHOLDER_ACCOUNT,
                    repositoryUrl: `${PLACEHOLDER_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${repoName}`,
                };
            }
            case "aws:ecr/lifecyclePolicy:LifecyclePolicy":
            case "aws:ecr/repositoryPolicy:RepositoryPolicy":
                return { registryId: PLACEHOLDER_ACCOUNT };
            case "aws:kms/key:Key": {
                const keyId = uuidLike(req.type, req.name);
                return { keyId, arn: `arn:aws:kms:${region}:${PLACEHOLDER_ACCOUNT}:key/${keyId}` };
            }
            case "docker-build:index:Image": {
                const digest = `sha256:${createHash("sha256").update(`${req.type}::${req.name}`).digest("hex")}`;
                const tags = Array.isArray(inputs.tags) ? inputs.tags.filter((t): t is string => typeof t === "string") : [];
                const out: Record<string, unknown> = { digest };
                // The provider's `ref` is the first tag pinned to the pushed digest.
                if (tags.length > 0) out.ref = `${tags[0]}@${digest}`;
                return out;
            }
            default:
                return {};
        }
    }
}

function shortHash(...parts: string[]): string {
    return createHash("sha256").update(parts.join("::")).digest("hex").slice(0, 7);
}

function uuidLike(...parts: string[]): string {
    const h = createHash("sha256").update(parts.join("::")).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
