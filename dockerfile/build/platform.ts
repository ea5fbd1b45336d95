/**
 * Platform specifiers as BuildKit reads them (containerd/platforms Parse,
 * Format, normalisation) and the automatic platform ARGs
 * (dockerfile2llb/platform.go defaultArgs).
 */
import { goQuote } from "../shell/go-quote";

export interface Platform {
    os: string;
    architecture: string;
    variant: string;
    osVersion: string;
}

const SPECIFIER_COMPONENT = /^[A-Za-z0-9_.-]+$/;
const OS_COMPONENT = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$/;

const KNOWN_OS = new Set(["aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "windows", "zos"]);
const KNOWN_ARCH = new Set([
    "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "ppc64", "ppc64le", "loong64", "mips", "mipsle", "mips64",
    "mips64le", "mips64p32", "mips64p32le", "ppc", "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm",
]);

/**
 * Parses `os[/arch[/variant]]` (or a lone arch / os) like containerd; a lone
 * component is completed with `host` (our stand-in for the Go runtime's platform).
 * Throws an Error with containerd's message.
 */
export function parsePlatform(specifier: string, host: Platform = DEFAULT_PLATFORM): Platform {
    const q = goQuote(specifier);
    if (specifier.includes("*")) throw new Error(`${q}: wildcards not yet supported: invalid argument`);
    const parts = splitN(specifier, "/", 4);
    const osMatch = OS_COMPONENT.exec(parts[0]);
    if (osMatch === null) {
        throw new Error(`${goQuote(parts[0])} is an invalid OS component of ${q}: OSAndVersion specifier component must match ${goQuote(OS_COMPONENT.source)}: invalid argument`);
    }
    for (const part of parts.slice(1)) {
        if (!SPECIFIER_COMPONENT.test(part)) {
            throw new Error(`${goQuote(part)} is an invalid component of ${q}: platform specifier component must match ${goQuote(SPECIFIER_COMPONENT.source)}: invalid argument`);
        }
    }
    const os = normalizeOs(osMatch[1], host);
    const osVersion = osMatch[2] ?? "";
    switch (parts.length) {
        case 1: {
            if (KNOWN_OS.has(os)) return { os, architecture: host.architecture, variant: host.architecture === "arm" ? host.variant : "", osVersion };
            let [architecture, variant] = normalizeArch(parts[0], "");
            if (architecture === "arm" && variant === "v7") variant = "";
            if (KNOWN_ARCH.has(architecture)) return { os: host.os, architecture, variant, osVersion: "" };
            throw new Error(`${q}: unknown operating system or architecture: invalid argument`);
        }
        case 2: {
            let [architecture, variant] = normalizeArch(parts[1], "");
            if (architecture === "arm" && variant === "v7") variant = "";
            return { os, architecture, variant, osVersion };
        }
        case 3: {
            let [architecture, variant] = normalizeArch(parts[1], parts[2]);
            if (architecture === "arm64" && variant === "") variant = "v8";
            return { os, architecture, variant, osVersion };
        }
    }
    throw new Error(`${q}: cannot parse platform specifier: invalid argument`);
}

const parsedPlatforms = new Map<string, Readonly<Platform>>();

/** parsePlatform for request options, which repeat across builds; the cache stays small. */
export function parsePlatformCached(specifier: string): Readonly<Platform> {
    let platform = parsedPlatforms.get(specifier);
    if (platform === undefined) {
        platform = Object.freeze(parsePlatform(specifier));
        if (parsedPlatforms.size >= 256) parsedPlatforms.clear();
        parsedPlatforms.set(specifier, platform);
    }
    return platform;
}

/** containerd platforms.Format: `os/arch[/variant]`. */
export function formatPlatform(p: Platform): string {
    if (p.os === "") return "unknown";
    return [p.os, p.architecture, p.variant].filter((s) => s !== "").join("/");
}

/** containerd platforms.FormatAll: like Format, with `(osversion)` when set. */
export function formatPlatformAll(p: Platform): string {
    if (p.os === "") return "unknown";
    const os = p.osVersion === "" ? p.os : `${p.os}(${p.osVersion})`;
    return [os, p.architecture, p.variant].filter((s) => s !== "").join("/");
}

/** containerd platforms.Normalize. */
export function normalizePlatform(p: Platform): Platform {
    const [architecture, variant] = normalizeArch(p.architecture, p.variant);
    return { os: normalizeOs(p.os, DEFAULT_PLATFORM), architecture, variant, osVersion: p.osVersion };
}

export const DEFAULT_PLATFORM: Platform = { os: "linux", architecture: "amd64", variant: "", osVersion: "" };

/**
 * The ARGs BuildKit defines before any Dockerfile ARG (defaultArgs): the
 * build and target platform pieces and TARGETSTAGE. A build-arg of the same
 * name overrides the computed value.
 */
export function defaultArgs(build: Platform, target: Platform, overrides: Readonly<Record<string, string>>, targetStage: string): [string, string][] {
    const values: [string, string][] = [
        ["BUILDPLATFORM", formatPlatform(build)],
        ["BUILDOS", build.os],
        ["BUILDOSVERSION", build.osVersion],
        ["BUILDARCH", build.architecture],
        ["BUILDVARIANT", build.variant],
        ["TARGETPLATFORM", formatPlatformAll(target)],
        ["TARGETOS", target.os],
        ["TARGETOSVERSION", target.osVersion],
        ["TARGETARCH", target.architecture],
        ["TARGETVARIANT", target.variant],
        ["TARGETSTAGE", targetStage === "" ? "default" : targetStage],
    ];
    return values.map(([k, v]) => [k, Object.prototype.hasOwnProperty.call(overrides, k) ? overrides[k] : v]);
}

function normalizeOs(os: string, host: Platform): string {
    if (os === "") return host.os;
    const lower = os.toLowerCase();
    return lower === "macos" ? "darwin" : lower;
}

function normalizeArch(archIn: string, variantIn: string): [string, string] {
    let arch = archIn.toLowerCase();
    let variant = variantIn.toLowerCase();
    switch (arch) {
        case "i386":
            arch = "386";
            variant = "";
            break;
        case "x86_64":
        case "x86-64":
        case "amd64":
            arch = "amd64";
            if (variant === "v1") variant = "";
            break;
        case "aarch64":
        case "arm64":
            arch = "arm64";
            if (variant === "8" || variant === "v8" || variant === "v8.0") variant = "";
            else if (variant === "9" || variant === "9.0" || variant === "v9.0") variant = "v9";
            break;
        case "armhf":
            arch = "arm";
            variant = "v7";
            break;
        case "armel":
            arch = "arm";
            variant = "v6";
            break;
        case "arm":
            if (variant === "" || variant === "7") variant = "v7";
            else if (variant === "5" || variant === "6" || variant === "8") variant = "v" + variant;
            break;
    }
    return [arch, variant];
}

function splitN(s: string, sep: string, n: number): string[] {
    const parts = s.split(sep);
    if (parts.length <= n) return parts;
    return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}
