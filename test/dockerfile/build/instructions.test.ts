/**
 * The instruction layer on its own: BuildKit's bflag_test.go and parse_test.go
 * cases (facts ported, code our own), and containerd's platform parsing as
 * dispatch relies on it.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { analyzeDockerfile } from "../../../dockerfile/analyze";
import { formatPlatform, formatPlatformAll, parsePlatform } from "../../../dockerfile/build/platform";
import { DockerfileError } from "../../../dockerfile/errors";
import { InstructionFlags, closest } from "../../../dockerfile/instructions/flags";
import { parseGoDuration, parseInstruction, parseInstructions } from "../../../dockerfile/instructions/parse";
import { parseMount } from "../../../dockerfile/instructions/mounts";
import { parse } from "../../../dockerfile/parser";

function firstNode(text: string) {
    return parse(text).ast[0];
}

function instructionError(text: string): DockerfileError {
    try {
        parseInstruction(firstNode(text));
    } catch (err) {
        assert.ok(err instanceof DockerfileError, `not a DockerfileError: ${String(err)}`);
        return err;
    }
    assert.fail(`${JSON.stringify(text)} was accepted`);
}

describe("dockerfile instructions: flags (bflag_test.go)", () => {
    it("accepts no flags and a lone --", () => {
        new InstructionFlags([]).parse();
        new InstructionFlags(["--"]).parse();
    });

    it("keeps defaults and marks nothing used when no flag is written", () => {
        const flags = new InstructionFlags([]);
        const str = flags.string("str1", "HI");
        const bool = flags.bool("bool1");
        flags.parse();
        assert.equal(str.value, "HI");
        assert.equal(bool.value, "false");
        assert.deepEqual(flags.usedNames(), []);
    });

    it("reads string, empty string and bool forms", () => {
        const cases: [string[], string, string][] = [
            [["--str1="], "", "false"],
            [["--str1=BYE"], "BYE", "false"],
            [["--bool1"], "HI", "true"],
            [["--bool1=true"], "HI", "true"],
            [["--bool1=FALSE"], "HI", "false"],
            [["--bool1", "--str1=BYE"], "BYE", "true"],
        ];
        for (const [args, str, bool] of cases) {
            const flags = new InstructionFlags(args);
            const s = flags.string("str1", "HI");
            const b = flags.bool("bool1");
            flags.parse();
            assert.equal(s.value, str, args.join(" "));
            assert.equal(b.value, bool, args.join(" "));
        }
    });

    it("rejects what BuildKit rejects, with its messages", () => {
        const cases: [string[], string][] = [
            [["--str1"], "missing a value on flag: --str1"],
            [["--bool1="], "missing a value on flag: --bool1"],
            [["--bool1=false1"], "expecting boolean value for flag --bool1, not: false1"],
            [["--bool2"], "unknown flag: --bool2 (did you mean bool1?)"],
            [["--zzzzzzzz"], "unknown flag: --zzzzzzzz"],
            [["-x"], "arg should start with -- : -x"],
            [["--str1=a", "--str1=b"], "duplicate flag specified: --str1"],
        ];
        for (const [args, message] of cases) {
            const flags = new InstructionFlags(args);
            flags.string("str1", "HI");
            flags.bool("bool1");
            assert.throws(() => flags.parse(), { message }, args.join(" "));
        }
    });

    it("collects repeated values of a strings flag", () => {
        const flags = new InstructionFlags(["--exclude=a", "--exclude=b"]);
        const excludes = flags.strings("exclude");
        flags.parse();
        assert.deepEqual(excludes.values, ["a", "b"]);
    });
});

describe("dockerfile instructions: parse (parse_test.go)", () => {
    for (const cmd of ["MAINTAINER", "WORKDIR", "USER", "STOPSIGNAL"]) {
        it(`${cmd} requires exactly one argument`, () => {
            assert.equal(instructionError(cmd).detail, `${cmd} requires exactly one argument`);
        });
    }
    for (const cmd of ["LABEL", "EXPOSE", "VOLUME", "HEALTHCHECK", "ONBUILD", "ARG"]) {
        it(`${cmd} requires at least one argument`, () => {
            assert.equal(instructionError(cmd).detail, `${cmd} requires at least one argument`);
        });
    }
    for (const cmd of ["ADD", "COPY"]) {
        it(`${cmd} needs a destination`, () => {
            assert.equal(instructionError(`${cmd} arg1`).detail, `${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`);
        });
    }

    it("reports errors at the instruction's first line", () => {
        const err = instructionError("COPY\t\n\t\tquux \\\n      bar");
        assert.match(err.detail, /COPY requires at least two arguments/);
        assert.equal(err.line, 1);
        const later = (() => {
            try {
                parseInstructions(parse("FROM a\nRUN x\nCOPY \\\n  a\n").ast);
            } catch (e) {
                return e as DockerfileError;
            }
            assert.fail("accepted");
        })();
        assert.equal(later.line, 3);
    });

    it("rejects forbidden ONBUILD triggers and unknown instructions as upstream", () => {
        assert.equal(instructionError("ONBUILD FROM scratch").detail, "FROM isn't allowed as an ONBUILD trigger");
        assert.equal(instructionError("ONBUILD ONBUILD RUN touch foobar").detail, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        assert.equal(instructionError("MAINTAINER --boo joe@example.com").detail, "unknown flag: --boo");
        // upstream checks the prefix; the did-you-mean suffix comes from util/suggest
        assert.equal(instructionError("FOO bar").detail, "unknown instruction: FOO (did you mean FROM?)");
        assert.equal(instructionError("foo bar").detail, "unknown instruction: foo (did you mean from?)");
        assert.equal(instructionError("XYZZY bar").detail, "unknown instruction: XYZZY");
    });

    it("turns a shell-form HEALTHCHECK CMD into CMD-SHELL", () => {
        const hc = parseInstruction(firstNode("HEALTHCHECK --interval=5s --retries=3 CMD hello world"));
        assert.ok("kind" in hc && hc.kind === "healthcheck");
        assert.deepEqual(hc.test, ["CMD-SHELL", "hello world"]);
        assert.equal(hc.intervalMs, 5000);
        assert.equal(hc.retries, 3);
        assert.equal(instructionError("HEALTHCHECK --interval=50ns CMD true").detail, 'Interval "interval" cannot be less than 1ms');
        assert.equal(instructionError("HEALTHCHECK --retries=-1 CMD true").detail, "--retries cannot be negative (-1)");
        assert.equal(instructionError("HEALTHCHECK NONE x").detail, "HEALTHCHECK NONE takes no arguments");
        assert.equal(instructionError("HEALTHCHECK FOO x").detail, 'Unknown type "FOO" in HEALTHCHECK (try CMD)');
    });

    it("reads Go durations", () => {
        assert.equal(parseGoDuration("1h2m3.5s"), 3_723_500);
        assert.equal(parseGoDuration("0"), 0);
        assert.equal(parseGoDuration("1.5ms"), 1.5);
        assert.throws(() => parseGoDuration("5"), /missing unit|invalid duration|unknown unit/);
        assert.throws(() => parseGoDuration("5y"), /unknown unit "y"/);
    });

    it("splits ARG into optional key=value pairs and keeps ENV's legacy form apart", () => {
        const arg = parseInstruction(firstNode("ARG A B=2 C="));
        assert.ok("kind" in arg && arg.kind === "arg");
        assert.deepEqual(arg.args, [{ key: "A" }, { key: "B", value: "2" }, { key: "C", value: "" }]);
        assert.equal(instructionError("ARG =x").detail, "ARG names can not be blank");
        const env = parseInstruction(firstNode("ENV PATH /usr/bin"));
        assert.ok("kind" in env && env.kind === "env");
        assert.deepEqual(env.env, [{ key: "PATH", value: "/usr/bin", noDelim: true }]);
    });

    it("validates FROM stage names and lowercases them", () => {
        const stage = parseInstruction(firstNode("FROM --platform=$BUILDPLATFORM golang AS Build-1.x"));
        assert.ok("commands" in stage);
        assert.equal(stage.name, "build-1.x");
        assert.equal(stage.platform, "$BUILDPLATFORM");
        assert.match(instructionError("FROM golang AS bad!name").detail, /invalid name for build stage: "bad!name"/);
        assert.equal(instructionError("FROM golang --platform=x").detail, "FROM requires either one or three arguments");
        assert.equal(instructionError("FROM --plat=x golang").detail, "unknown flag: --plat");
    });

    it("rejects RUN flags with bad values and mounts with variable sources", () => {
        assert.equal(instructionError("RUN --network=bridge true").detail, 'invalid network mode "bridge"');
        assert.equal(instructionError("RUN --security=root true").detail, 'security "root" is not valid');
        assert.equal(instructionError("RUN --mount=from=$STAGE,target=/x true").detail, "'from' doesn't support variable expansion, define alias stage instead");
        const run = parseInstruction(firstNode("RUN --mount=type=cache,target=/root/.cache --network=none make"));
        assert.ok("kind" in run && run.kind === "run");
        assert.deepEqual(run.flagsUsed.sort(), ["mount", "network"]);
        assert.deepEqual(run.command.cmdLine, ["make"]);
    });

    it("requires SHELL in JSON form", () => {
        assert.equal(instructionError("SHELL /bin/bash -c").detail, "SHELL requires the arguments to be in JSON form");
    });

    it("splits meta ARGs from stages and refuses other instructions before FROM", () => {
        const parsed = parseInstructions(parse("ARG A=1\nARG B\nFROM x AS one\nARG C\nRUN y\nFROM one\n").ast);
        assert.deepEqual(parsed.metaArgs.map((a) => a.args.map((e) => e.key)), [["A"], ["B"]]);
        assert.deepEqual(parsed.stages.map((s) => [s.name, s.baseName, s.commands.map((c) => c.kind)]), [["one", "x", ["arg", "run"]], ["", "one", []]]);
        assert.throws(() => parseInstructions(parse("ARG A=1\nLABEL a=b\nFROM x\n").ast), { message: "line 2: no build stage in current context" });
    });
});

describe("dockerfile instructions: RUN --mount at dispatch (commands_runmount.go)", () => {
    const expand = (w: string) => w.replace("$T", "/cache");
    it("reads types, targets and defaults", () => {
        const cache = parseMount("type=cache,target=$T,sharing=locked", expand);
        assert.deepEqual([cache.type, cache.target, cache.sharing, cache.readOnly], ["cache", "/cache", "locked", false]);
        const bind = parseMount("target=/src,from=build", expand);
        assert.deepEqual([bind.type, bind.from, bind.readOnly], ["bind", "build", true]);
        assert.equal(parseMount("type=bind,target=/x,rw", expand).readOnly, false);
        assert.equal(parseMount('type=bind,"target=/a,b"', expand).target, "/a,b");
    });
    it("rejects what upstream rejects", () => {
        assert.throws(() => parseMount("type=volume,target=/x", expand), /unsupported mount type "volume"/);
        assert.throws(() => parseMount("type=secret", expand), /invalid secret mount/);
        assert.throws(() => parseMount("type=bind,target=/x,uid=1", expand), /uid not allowed for "bind" type mounts/);
        assert.throws(() => parseMount("type=bind,sharing=locked,target=/x", expand), /invalid cache sharing set for bind mount/);
        assert.throws(() => parseMount("type=cache,target=/x,size=1m", expand), /unexpected key 'size' for mount type 'cache'/);
        assert.throws(() => parseMount("type=bind,target", expand), /invalid field 'target' must be a key=value pair/);
    });
});

describe("dockerfile build: platforms (containerd platforms.Parse)", () => {
    const cases: [string, string][] = [
        ["linux/amd64", "linux/amd64"],
        ["linux/x86_64", "linux/amd64"],
        ["linux/aarch64", "linux/arm64"],
        ["linux/arm64/v8", "linux/arm64/v8"],
        ["linux/arm", "linux/arm"],
        ["linux/arm/7", "linux/arm/v7"],
        ["linux/armhf", "linux/arm"],
        ["Linux/AMD64", "linux/amd64"],
        ["arm64", "linux/arm64"],
        ["linux", "linux/amd64"],
        ["windows(10.0.17763)/amd64", "windows/amd64"],
    ];
    for (const [spec, want] of cases) {
        it(`${spec} -> ${want}`, () => assert.equal(formatPlatform(parsePlatform(spec)), want));
    }
    it("keeps the OS version in the full form", () => {
        assert.equal(formatPlatformAll(parsePlatform("windows(10.0.17763)/amd64")), "windows(10.0.17763)/amd64");
    });
    it("rejects invalid specifiers", () => {
        assert.throws(() => parsePlatform("linux/*"), /wildcards not yet supported/);
        assert.throws(() => parsePlatform("notanos"), /unknown operating system or architecture/);
        assert.throws(() => parsePlatform("linux/amd64/v2/x/y"), /"x\/y" is an invalid component/);
        assert.throws(() => parsePlatform("linux/amd64/v2/x"), /cannot parse platform specifier/);
        assert.throws(() => parsePlatform("linux/am d64"), /invalid component/);
    });
});

describe("dockerfile instructions and dispatch: values in messages are quoted as Go's %q", () => {
    it("control and invisible characters are escaped Go's way, not JSON's", () => {
        assert.equal(instructionError("FROM alpine AS a\u00adb\u0001").detail, "invalid name for build stage: \"a\\u00adb\\x01\", name can't start with a number or contain symbols");
        assert.equal(instructionError("HEALTHCHECK FO\u0007O CMD x").detail, "Unknown type \"FO\\aO\" in HEALTHCHECK (try CMD)");
    });

    it("dispatch errors quote the same way", () => {
        assert.deepEqual(analyzeDockerfile("FROM alpine\nEXPOSE \"/t\u0001cp\"").errors, [{ message: "invalid port: \"/t\\x01cp\": no port specified", line: 2 }]);
        assert.match(analyzeDockerfile("FROM alpine", { target: "n\u00e9\u200b" }).errors[0].message, /^target stage "n\u00e9\\u200b" could not be found/);
    });
});

describe("dockerfile instructions: \"did you mean\" suggestions", () => {
    /** The textbook edit distance, for comparison. */
    function editDistance(a: string, b: string): number {
        let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
        for (let i = 1; i <= a.length; i++) {
            const current = [i];
            for (let j = 1; j <= b.length; j++) current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
            previous = current;
        }
        return previous[b.length];
    }

    function naiveClosest(value: string, options: readonly string[]): string | undefined {
        let match: string | undefined;
        let best = 3;
        for (const option of options) {
            if (option === value) return undefined;
            const d = editDistance(value, option);
            if (d < best) {
                match = option;
                best = d;
            }
        }
        return match;
    }

    it("the banded edit distance picks what the full one picks", () => {
        const word = fc.array(fc.constantFrom("a", "b", "c", "-"), { maxLength: 9 }).map((cs) => cs.join(""));
        fc.assert(
            fc.property(word, fc.array(word, { maxLength: 6 }), (value, options) => {
                assert.equal(closest(value, options), naiveClosest(value, options));
            }),
            { numRuns: 3000, seed: 11 },
        );
    });

    it("long names from the file cost linear time and still get their hint", () => {
        const name = "A".repeat(60_000);
        const facts = analyzeDockerfile(`ARG ${name}=\nFROM --platform=$${name.slice(1)}B alpine\n`);
        assert.equal(facts.errors.length, 1);
        assert.ok(facts.errors[0].message.endsWith(` (did you mean ${name}?)`));
        assert.equal(facts.errors[0].line, 2);
    });

    it("the hint is left out when too many unset names meet too many ARGs", () => {
        const args = Array.from({ length: 2000 }, (_, i) => `ARG k${i}=`);
        const refs = Array.from({ length: 1000 }, (_, i) => `$z${i}`).join("");
        const facts = analyzeDockerfile(`${args.join("\n")}\nARG k=\nFROM --platform=${refs}$kk alpine\n`);
        assert.match(facts.errors[0].message, /^empty platform value from expression \$z0\$z1/);
        assert.doesNotMatch(facts.errors[0].message, /did you mean/);
        // with few names the same near miss is suggested
        assert.match(analyzeDockerfile("ARG k=\nFROM --platform=$kk alpine\n").errors[0].message, /\(did you mean k\?\)$/);
    });
});
